import { CrosswalkError, TIMESTAMP_PATTERN } from '@crosswalk/core';

/** A position in a time-ordered listing: the (time, id) of the last item a page returned. */
export interface Position {
  at: string;
  id: string;
}

/** Opaque to clients: base64url of `[at, id]`. */
export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== 'string' ||
    typeof value[1] !== 'string' ||
    !TIMESTAMP_PATTERN.test(value[0]) ||
    value[1].length === 0 ||
    value[1].length > 300
  ) {
    throw new CrosswalkError('CW_INPUT_INVALID', 'cursor is not one this API returned', {
      where: 'query.cursor',
      issues: [{ path: 'query.cursor', message: 'is not a cursor this API returned' }],
    });
  }
  return { at: value[0], id: value[1] };
}

/** Strictly after the position, in (time, id) order. */
export function isAfter(item: Position, position: Position | undefined): boolean {
  if (!position) return true;
  return item.at > position.at || (item.at === position.at && item.id > position.id);
}

export function compare(a: Position, b: Position): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

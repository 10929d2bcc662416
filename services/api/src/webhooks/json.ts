import { CrosswalkError, zodIssues } from '@crosswalk/core';
import type { z } from 'zod';
import { assertJsonDepth } from '../depth.js';

/**
 * JSON text as a value; CW_INPUT_INVALID (never echoing the text) when it is missing, empty, not JSON, or nested
 * deeper than MAX_JSON_DEPTH (the payload becomes a job: serializing it must not overflow).
 */
export function parseJsonText(text: string | null | undefined): unknown {
  let value: unknown;
  try {
    if (text === null || text === undefined || text.trim().length === 0) throw new Error('empty');
    value = JSON.parse(text);
  } catch {
    throw new CrosswalkError('CW_INPUT_INVALID', 'delivery body is not valid JSON', { where: 'body' });
  }
  assertJsonDepth(value, 'body');
  return value;
}

/**
 * The body as JSON checked against a sender's envelope schema: CW_INPUT_INVALID for text that is not JSON
 * (without echoing it) or for a body whose envelope is wrong, naming each field under `body.`. An empty body
 * is refused unless `options.empty` says what it stands for.
 */
export function parseJsonBody<T>(body: Buffer, schema: z.ZodType<T>, options: { empty?: unknown } = {}): T {
  const text = body.toString('utf8');
  const value = text.trim().length === 0 && 'empty' in options ? options.empty : parseJsonText(text);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error, ['body']);
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `invalid delivery body: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { where: issues[0]?.path ?? 'body', issues },
    );
  }
  return parsed.data;
}

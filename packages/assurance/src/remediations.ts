import { randomUUID } from 'node:crypto';
import { CrosswalkError, canonicalJson, toTimestamp, zodIssues } from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import { z } from 'zod';

/**
 * Remediations and justifications of exceptions: write-once records entered by a person, never an edit. Each is
 * stored once (with the locker's Object Lock retention, as evidence) under `controls/remediations/<control>/<at>-<id>.json` and names the exception's item (an evidence id,
 * or `period:<label>` for a period without evidence). The exception itself never disappears: a test lists it with
 * every remediation entered for it, and one without any stays open and is counted.
 */
const PREFIX = 'controls/remediations/';

export const remediationInputSchema = z
  .object({
    item: z.string().min(1).max(300).describe('The exception: an evidence id, or period:<label> for a gap'),
    type: z.enum(['remediation', 'justification']).default('remediation'),
    text: z.string().min(1).max(10_000),
    link: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .nullable()
      .default(null),
  })
  .strict();

export type RemediationInput = z.input<typeof remediationInputSchema>;

export interface Remediation {
  id: string;
  control: string;
  item: string;
  type: 'remediation' | 'justification';
  text: string;
  link: string | null;
  /** Who entered it (the API key's name, or the CLI's --by). */
  by: string;
  at: string;
}

const storedSchema = z
  .object({
    schemaVersion: z.literal(1),
    id: z.string(),
    control: z.string(),
    item: z.string(),
    type: z.enum(['remediation', 'justification']),
    text: z.string(),
    link: z.string().nullable(),
    by: z.string(),
    at: z.string(),
  })
  .strict();

const CONTROL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function addRemediation(
  locker: Locker,
  control: string,
  input: RemediationInput,
  who: { by: string; at?: Date },
  where = 'remediation',
): Promise<Remediation> {
  if (!CONTROL_ID.test(control)) {
    throw new CrosswalkError('CW_INPUT_INVALID', `"${control.slice(0, 80)}" is not a control id`, {
      where: 'control',
    });
  }
  const parsed = remediationInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error, [where]);
    throw new CrosswalkError('CW_INPUT_INVALID', `${issues[0]!.path}: ${issues[0]!.message}`, {
      where,
      issues,
    });
  }
  const remediation: Remediation = {
    id: randomUUID(),
    control,
    ...parsed.data,
    by: who.by,
    at: toTimestamp(who.at ?? new Date()),
  };
  const key = `${PREFIX}${control}/${remediation.at}-${remediation.id}.json`;
  await locker.createOnce(key, Buffer.from(canonicalJson({ schemaVersion: 1, ...remediation })));
  return remediation;
}

/** Every remediation of a control, oldest first (keys sort by entry time). */
export async function listRemediations(locker: Locker, control: string): Promise<Remediation[]> {
  const found: Remediation[] = [];
  for await (const object of locker.store.list(`${PREFIX}${control}/`)) {
    const bytes = await locker.store.get(object.key);
    if (bytes) found.push(parseRemediation(bytes, object.key, control));
  }
  return found;
}

/** Where every control's remediations are stored: `<prefix><control>/<at>-<id>.json`, write-once. */
export const REMEDIATIONS_PREFIX = PREFIX;

/** The control a remediation key belongs to, or undefined for a key that is not one. */
export function remediationControlOf(key: string): string | undefined {
  if (!key.startsWith(PREFIX)) return undefined;
  const control = key.slice(PREFIX.length).split('/')[0]!;
  return CONTROL_ID.test(control) ? control : undefined;
}

/** A stored remediation's bytes, checked: corrupt unless they parse and name the control stored under. */
export function parseRemediation(bytes: Uint8Array, key: string, control: string): Remediation {
  let parsed: ReturnType<typeof storedSchema.safeParse> | undefined;
  try {
    parsed = storedSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success || parsed.data.control !== control) {
    throw new CrosswalkError('CW_LOCKER_CORRUPT', `remediation at ${key} is not readable`, { where: key });
  }
  const { schemaVersion: _v, ...remediation } = parsed.data;
  return remediation;
}

/** An exception's status from what was entered for it: one rule for every reader. */
export function exceptionStatus(found: readonly Remediation[]): 'open' | 'remediated' | 'justified' {
  return found.some((r) => r.type === 'remediation') ? 'remediated' : found.length > 0 ? 'justified' : 'open';
}

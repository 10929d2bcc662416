import { randomUUID } from 'node:crypto';
import { CrosswalkError, canonicalJson, parseInstant, toTimestamp, zodIssues } from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import { z } from 'zod';
import { csvText } from './csv.js';

/**
 * The auditor's questions: a flag on a sampled item or an exception of a control, with a comment, and the security
 * team's answers to it (a remediation or a justification). Like remediations, every flag and every answer is a
 * write-once object entered by a person (with the locker's Object Lock retention, as evidence), never edited or
 * deleted: the thread is part of the audit trail and goes into the next export (`control-tests/<id>/flags.csv`).
 *
 * Layout, one folder per flag so one listing of `controls/flags/` reads every thread:
 * `controls/flags/<control>/<flagId>/flag.json` and `controls/flags/<control>/<flagId>/answers/<at>-<id>.json`.
 */
const PREFIX = 'controls/flags/';

const CONTROL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FLAG_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Printable text on one line: an item is an id, never a paragraph. */
const ITEM = /^[^\p{Cc}]{1,300}$/u;

export const flagInputSchema = z
  .object({
    item: z
      .string()
      .regex(ITEM, '1-300 characters, no control characters')
      .describe('What is flagged, as the control test names it: an evidence id, or period:<label> for a gap'),
    comment: z.string().min(1).max(4000).describe("The auditor's question or remark"),
    from: z.string().min(1).max(64).optional().describe('The window the item was seen in: start, inclusive'),
    to: z.string().min(1).max(64).optional().describe('The window the item was seen in: end, exclusive'),
  })
  .strict();

export type FlagInput = z.input<typeof flagInputSchema>;

export const flagAnswerInputSchema = z
  .object({
    type: z.enum(['remediation', 'justification']),
    text: z.string().min(1).max(10_000),
  })
  .strict();

export type FlagAnswerInput = z.input<typeof flagAnswerInputSchema>;

export interface Flag {
  id: string;
  control: string;
  item: string;
  comment: string;
  /** The window the auditor looked at, when given (a scoped key's flag carries its period). */
  from: string | null;
  to: string | null;
  /** Who raised it (the API key's name and id). */
  by: string;
  at: string;
}

export interface FlagAnswer {
  id: string;
  type: 'remediation' | 'justification';
  text: string;
  by: string;
  at: string;
}

export type FlagStatus = 'open' | 'answered';

export interface FlagThread extends Flag {
  answers: FlagAnswer[];
  /** Answered once it has any answer; a flag never closes otherwise. */
  status: FlagStatus;
}

/** A flag as it reads back (and as the API answers it). */
export const flagSchema = z.object({
  id: z.string(),
  control: z.string(),
  item: z.string(),
  comment: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  by: z.string(),
  at: z.string(),
});

/** An answer to a flag as it reads back (and as the API answers it). */
export const flagAnswerSchema = z.object({
  id: z.string(),
  type: z.enum(['remediation', 'justification']),
  text: z.string(),
  by: z.string(),
  at: z.string(),
});

const storedFlagSchema = flagSchema.extend({ schemaVersion: z.literal(1) }).strict();

const storedAnswerSchema = flagAnswerSchema
  .extend({ schemaVersion: z.literal(1), flag: z.string(), control: z.string() })
  .strict();

function invalid(where: string, message: string): CrosswalkError {
  return new CrosswalkError('CW_INPUT_INVALID', message, { where, issues: [{ path: where, message }] });
}

function parsed<T extends z.ZodType>(schema: T, input: unknown, where: string): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = zodIssues(result.error, [where]);
    throw new CrosswalkError('CW_INPUT_INVALID', `${issues[0]!.path}: ${issues[0]!.message}`, {
      where: issues[0]!.path,
      issues,
    });
  }
  return result.data;
}

function assertControlId(control: string): void {
  if (!CONTROL_ID.test(control)) throw invalid('control', `"${control.slice(0, 80)}" is not a control id`);
}

/** Raises a flag (write-once). `from`/`to` are normalized to timestamps; `from` must come before `to`. */
export async function addFlag(
  locker: Locker,
  control: string,
  input: FlagInput,
  who: { by: string; at?: Date },
  where = 'flag',
): Promise<Flag> {
  assertControlId(control);
  const data = parsed(flagInputSchema, input, where);
  const from = data.from === undefined ? null : parseInstant(data.from, `${where}.from`);
  const to = data.to === undefined ? null : parseInstant(data.to, `${where}.to`);
  if (from !== null && to !== null && from >= to)
    throw invalid(`${where}.to`, `${where}.to must be after from`);
  const flag: Flag = {
    id: randomUUID(),
    control,
    item: data.item,
    comment: data.comment,
    from,
    to,
    by: who.by,
    at: toTimestamp(who.at ?? new Date()),
  };
  await locker.createOnce(
    `${PREFIX}${control}/${flag.id}/flag.json`,
    Buffer.from(canonicalJson({ schemaVersion: 1, ...flag })),
  );
  return flag;
}

/** A control's flag by id; undefined when the control has no such flag. */
export async function readFlag(locker: Locker, control: string, flagId: string): Promise<Flag | undefined> {
  if (!CONTROL_ID.test(control) || !FLAG_ID.test(flagId)) return undefined;
  const key = `${PREFIX}${control}/${flagId}/flag.json`;
  const bytes = await locker.store.get(key);
  return bytes ? readStored(storedFlagSchema, bytes, key, control) : undefined;
}

/** Answers a flag (write-once); 404 `CW_NOT_FOUND` naming `flagWhere` when the control has no such flag. */
export async function addFlagAnswer(
  locker: Locker,
  control: string,
  flagId: string,
  input: FlagAnswerInput,
  who: { by: string; at?: Date },
  where = { answer: 'answer', flag: 'flag' },
): Promise<FlagAnswer> {
  assertControlId(control);
  const data = parsed(flagAnswerInputSchema, input, where.answer);
  if (!(await readFlag(locker, control, flagId))) {
    throw new CrosswalkError('CW_NOT_FOUND', `control ${control} has no flag "${flagId.slice(0, 80)}"`, {
      where: where.flag,
    });
  }
  const answer: FlagAnswer = { id: randomUUID(), ...data, by: who.by, at: toTimestamp(who.at ?? new Date()) };
  await locker.createOnce(
    `${PREFIX}${control}/${flagId}/answers/${answer.at}-${answer.id}.json`,
    Buffer.from(canonicalJson({ schemaVersion: 1, ...answer, flag: flagId, control })),
  );
  return answer;
}

function readStored<T extends z.ZodType>(
  schema: T,
  bytes: Uint8Array,
  key: string,
  control: string,
): Omit<z.output<T>, 'schemaVersion'> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    json = undefined;
  }
  const result = schema.safeParse(json);
  if (!result.success || (result.data as { control: string }).control !== control) {
    throw new CrosswalkError('CW_LOCKER_CORRUPT', `flag record at ${key} is not readable`, { where: key });
  }
  const { schemaVersion: _v, ...rest } = result.data as { schemaVersion: 1 } & Record<string, unknown>;
  return rest as Omit<z.output<T>, 'schemaVersion'>;
}

/**
 * Every flag with its answers (oldest answer first), oldest flag first; one control's when `control` is given.
 * One listing under the prefix, then a read per object: flags are few (a handful per control and audit).
 */
export async function listFlags(locker: Locker, options: { control?: string } = {}): Promise<FlagThread[]> {
  if (options.control !== undefined) assertControlId(options.control);
  const prefix = options.control === undefined ? PREFIX : `${PREFIX}${options.control}/`;
  const flags = new Map<string, Flag>();
  const answers = new Map<string, FlagAnswer[]>();
  for await (const object of locker.store.list(prefix)) {
    const [control, flagId, ...rest] = object.key.slice(PREFIX.length).split('/');
    if (!control || !flagId) continue;
    const bytes = await locker.store.get(object.key);
    if (!bytes) continue;
    if (rest.length === 1 && rest[0] === 'flag.json') {
      flags.set(`${control}/${flagId}`, readStored(storedFlagSchema, bytes, object.key, control));
    } else if (rest.length === 2 && rest[0] === 'answers') {
      const {
        flag: _flag,
        control: _control,
        ...answer
      } = readStored(storedAnswerSchema, bytes, object.key, control);
      const thread = `${control}/${flagId}`;
      answers.set(thread, [...(answers.get(thread) ?? []), answer]);
    }
  }
  return [...flags.entries()]
    .map(([thread, flag]): FlagThread => {
      const found = (answers.get(thread) ?? []).sort(
        (a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id),
      );
      return { ...flag, answers: found, status: found.length > 0 ? 'answered' : 'open' };
    })
    .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}

/** Whether a flag concerns a window: its own window overlaps it, or it names none (it is about the control). */
export function flagConcerns(flag: Flag, window: { from: string; to: string }): boolean {
  return (flag.from === null || flag.from < window.to) && (flag.to === null || flag.to > window.from);
}

/** The columns of flags.csv. */
export const FLAG_COLUMNS = [
  'flag',
  'item',
  'comment',
  'from',
  'to',
  'flaggedBy',
  'flaggedAt',
  'status',
  'answer',
  'answerType',
  'answerText',
  'answeredBy',
  'answeredAt',
] as const;

/** A control's threads as flags.csv: one line per answer, or one with empty answer columns for an open flag. */
export function flagsCsv(threads: readonly FlagThread[]): string {
  return csvText(
    FLAG_COLUMNS,
    threads.flatMap((t) =>
      (t.answers.length > 0 ? t.answers : [null]).map((a) => [
        t.id,
        t.item,
        t.comment,
        t.from,
        t.to,
        t.by,
        t.at,
        t.status,
        a?.id ?? null,
        a?.type ?? null,
        a?.text ?? null,
        a?.by ?? null,
        a?.at ?? null,
      ]),
    ),
  );
}

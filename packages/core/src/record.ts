import { z } from 'zod';
import { canonicalJson, canonicalSha256, sha256Hex } from './canonical.js';
import { CrosswalkError } from './errors.js';
import { EVIDENCE_ID_PATTERN, evidenceId } from './evidence-id.js';
import { type EvidenceKind, isEvidenceKind, kindDeclaration, type PayloadOf } from './kinds.js';
import { personSchema } from './person.js';
import { timestampSchema } from './time.js';
import { zodIssues } from './zod-issues.js';

export const RECORD_SCHEMA_VERSION = 1;

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');
const recordIdSchema = z.string().regex(EVIDENCE_ID_PATTERN, 'must be <kind>~<yyyymmddThhmmssmmmZ>~<32 hex>');

export const sourceSchema = z
  .object({
    /** e.g. `github`, `okta`, `jira`, `crosswalk` for derived evidence. */
    system: z.string().min(1),
    /** The org, Okta domain or Jira site the item came from. */
    instance: z.string().min(1),
    /** The item's own reference at the source (`acme/api#42`, an event uuid). */
    ref: z.string().min(1),
    url: z.string().url().nullable(),
  })
  .strict();

export const provenanceRequestSchema = z
  .object({
    method: z.string().min(1),
    /** Path and non-secret query only: never a token, never a signature. */
    path: z.string().min(1),
    status: z.number().int(),
    requestId: z.string().nullable(),
  })
  .strict();

export const triggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('schedule'), scheduler: z.string().nullable() }).strict(),
  z
    .object({ type: z.literal('webhook'), deliveryId: z.string().min(1), event: z.string().nullable() })
    .strict(),
  z.object({ type: z.literal('manual'), by: z.string().min(1) }).strict(),
  /** A run that adopts what dead runs stored (run manifests only; no record is collected by one). */
  z.object({ type: z.literal('recovery'), by: z.string().min(1) }).strict(),
]);

export const provenanceSchema = z
  .object({
    connector: z
      .object({ id: z.string().min(1), type: z.string().min(1), version: z.string().min(1) })
      .strict(),
    collector: z.string().min(1),
    runId: z.string().min(1),
    trigger: triggerSchema,
    requests: z.array(provenanceRequestSchema),
  })
  .strict();

export const controlsRefSchema = z
  .object({
    'soc2-2017': z.array(z.string().min(1)),
    'iso27001-2022': z.array(z.string().min(1)),
    mappingVersion: z.string().min(1),
  })
  .strict();

export const ownerSchema = z
  .object({
    /** Who performed or is accountable for this item: the approver, reviewer, admin who changed a policy. */
    people: z.array(personSchema),
    /** The control owner configured for the connector, when one is. */
    controlOwner: z.string().min(1).nullable(),
  })
  .strict();

export const actorSchema = z.object({ role: z.string().min(1), person: personSchema }).strict();

const recordBase = z
  .object({
    schemaVersion: z.literal(RECORD_SCHEMA_VERSION),
    id: recordIdSchema,
    /** A kind of the catalog (checked before the shape, so an unknown one is CW_KIND_UNKNOWN). */
    kind: z.string().min(1),
    occurredAt: timestampSchema,
    collectedAt: timestampSchema,
    storedAt: timestampSchema,
    owner: ownerSchema,
    actors: z.array(actorSchema),
    source: sourceSchema,
    controls: controlsRefSchema,
    payload: z.unknown(),
    provenance: provenanceSchema,
    sha256: sha256Schema,
  })
  .strict();

export type EvidenceRecord<K extends EvidenceKind = EvidenceKind> = Omit<
  z.infer<typeof recordBase>,
  'kind'
> & {
  kind: K;
  payload: PayloadOf<K>;
};

/** What a collector emits: the record before the locker stamps storedAt, the id and the hash. */
export type EvidenceDraft<K extends EvidenceKind = EvidenceKind> = Omit<
  EvidenceRecord<K>,
  'schemaVersion' | 'id' | 'storedAt' | 'sha256'
>;

export type Source = z.infer<typeof sourceSchema>;
export type Provenance = z.infer<typeof provenanceSchema>;
export type ProvenanceRequest = z.infer<typeof provenanceRequestSchema>;
export type Trigger = z.infer<typeof triggerSchema>;
export type ControlsRef = z.infer<typeof controlsRefSchema>;
export type Owner = z.infer<typeof ownerSchema>;
export type Actor = z.infer<typeof actorSchema>;

/** The hash covers every field but itself. */
export function recordHash(record: Omit<EvidenceRecord, 'sha256'> & { sha256?: string }): string {
  const { sha256: _ignored, ...rest } = record;
  return canonicalSha256(rest);
}

/**
 * Validates a record's shape and its kind's payload schema. Throws CW_KIND_UNKNOWN or CW_RECORD_INVALID with the
 * path of every bad field; `where` names the file, key or id the record came from.
 */
export function parseRecord(value: unknown, where?: string): EvidenceRecord {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (typeof kind === 'string' && !isEvidenceKind(kind)) {
    throw new CrosswalkError('CW_KIND_UNKNOWN', `unknown evidence kind "${kind}"`, { where });
  }
  const base = recordBase.safeParse(value);
  if (!base.success) {
    throw new CrosswalkError('CW_RECORD_INVALID', 'evidence record does not match the schema', {
      where,
      issues: zodIssues(base.error),
    });
  }
  const payload = kindDeclaration(base.data.kind).payload.safeParse(base.data.payload);
  if (!payload.success) {
    throw new CrosswalkError('CW_RECORD_INVALID', `payload does not match the schema of ${base.data.kind}`, {
      where,
      issues: zodIssues(payload.error, ['payload']),
    });
  }
  return base.data as EvidenceRecord;
}

/**
 * Turns a draft into a sealed record: validates it, derives the id, stamps storedAt and the hash.
 * @example const record = sealRecord(draft, clock.now());
 */
export function sealRecord<K extends EvidenceKind>(
  draft: EvidenceDraft<K>,
  storedAt: Date | string,
): EvidenceRecord<K> {
  const unsealed = {
    schemaVersion: RECORD_SCHEMA_VERSION,
    id: evidenceId(draft.kind, draft.source, draft.occurredAt),
    ...draft,
    storedAt: new Date(storedAt).toISOString(),
  };
  const sealed = { ...unsealed, sha256: recordHash(unsealed as Omit<EvidenceRecord, 'sha256'>) };
  return parseRecord(sealed, `${draft.kind} ${draft.source.ref}`) as EvidenceRecord<K>;
}

/** The exact bytes the locker stores: canonical JSON, so the file hashes the same wherever it is copied. */
export function serializeRecord(record: EvidenceRecord): string {
  return canonicalJson(record);
}

/**
 * The record's hash taken from its stored text, when that text is the canonical JSON the locker writes: the text
 * with the top-level `"sha256":"<h>"` member cut out is then exactly the canonical JSON the hash was computed over,
 * so hashing it spares re-serializing the parsed record (most of the cost of proving a record). Returns `h` only
 * when that hash matches; a match cannot be had any other way (it would be a SHA-256 collision: only the sealed
 * canonical text, which has no top-level sha256, hashes to `h`, so the member cut was the top-level one). On no
 * match (text not canonical, member not found, tampered) it returns undefined and the caller recomputes from the
 * parsed record, which stays the definition.
 */
function storedTextHash(text: string, claimed: string): string | undefined {
  const member = `"sha256":"${claimed}"`;
  let at = text.indexOf(`,${member}`);
  let cut: string;
  if (at > 0) cut = text.slice(0, at) + text.slice(at + member.length + 1);
  else {
    at = text.indexOf(`{${member},`);
    if (at !== 0) return undefined;
    cut = `{${text.slice(member.length + 2)}`;
  }
  return sha256Hex(cut) === claimed ? claimed : undefined;
}

/**
 * Parses stored bytes and proves they are what was written: valid JSON, valid schema, and a hash that matches.
 * Anything else is CW_LOCKER_CORRUPT naming `where`; corrupt data is never returned as good.
 */
export function verifyRecordBytes(bytes: Uint8Array | string, where: string): EvidenceRecord {
  let value: unknown;
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CrosswalkError('CW_LOCKER_CORRUPT', `stored record is not valid JSON: ${where}`, {
      where,
      cause,
    });
  }
  let record: EvidenceRecord;
  try {
    record = parseRecord(value, where);
  } catch (cause) {
    throw new CrosswalkError('CW_LOCKER_CORRUPT', `stored record does not match the schema: ${where}`, {
      where,
      cause,
      issues: (cause as CrosswalkError).issues,
    });
  }
  const actual = storedTextHash(text, record.sha256) ?? recordHash(record);
  if (actual !== record.sha256) {
    throw new CrosswalkError(
      'CW_LOCKER_CORRUPT',
      `stored record's content does not match its sha256 (recorded ${record.sha256}, computed ${actual}): ${where}`,
      { where },
    );
  }
  if (record.id !== evidenceId(record.kind, record.source, record.occurredAt)) {
    throw new CrosswalkError(
      'CW_LOCKER_CORRUPT',
      `stored record's id does not derive from its content: ${where}`,
      {
        where,
      },
    );
  }
  return record;
}

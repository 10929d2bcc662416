import {
  CrosswalkError,
  canonicalJson,
  canonicalSha256,
  parseEvidenceId,
  timestampSchema,
  triggerSchema,
  zodIssues,
} from '@crosswalk/core';
import { z } from 'zod';
import {
  chainHeadHintKey,
  chainLinkKey,
  chainPrefix,
  parseRunKey,
  parseStagedManifestKey,
  runKey,
  runPrefix,
  runStartAfter,
  stagedManifestKey,
  stagingPrefix,
} from './keys.js';
import { mapOrdered } from './ordered.js';
import type { TimeRange } from './records.js';
import type { RetentionPolicy } from './retention.js';
import type { ObjectStore } from './store.js';

/** Chain links and manifests read at once while a chain is verified. */
const VERIFY_CONCURRENCY = 16;
/** How long after its link was claimed a manifest may still be on its way (see readClaimed). */
const IN_FLIGHT_MS = 15_000;
/** Reads of such a manifest, 250 ms apart. */
const IN_FLIGHT_RETRIES = 12;

/**
 * How long a staged manifest with no link is kept (see completeClaims): far longer than a run takes from staging
 * to claiming, so a live run's staging is never taken for a dead one's.
 */
const ORPHAN_MS = 600_000;

const errorSummarySchema = z.object({ code: z.string(), message: z.string() }).strict();

export const runManifestSchema = z
  .object({
    schemaVersion: z.literal(1),
    runId: z.string().min(1),
    connectorId: z.string().min(1),
    connectorType: z.string().min(1),
    connectorVersion: z.string().min(1),
    trigger: triggerSchema,
    /** The window asked for on the command line or by the job; null when each collector used its own. */
    window: z.object({ since: timestampSchema, until: timestampSchema }).strict().nullable(),
    /** A webhook's narrowing (one pull request, one user); empty for scheduled runs. */
    filter: z.record(z.string(), z.string()),
    /**
     * The webhook deliveries whose items this run stored, in arrival order, when it stored a batch of them (each
     * record's provenance names its own); absent on other runs.
     */
    deliveries: z
      .array(z.object({ deliveryId: z.string().min(1), event: z.string().min(1) }).strict())
      .min(1)
      .optional(),
    startedAt: timestampSchema,
    finishedAt: timestampSchema,
    status: z.enum(['succeeded', 'partial', 'failed']),
    collectors: z.array(
      z
        .object({
          id: z.string(),
          kind: z.string(),
          /** The source-time window this collector was asked for. */
          window: z.object({ since: timestampSchema, until: timestampSchema }).strict(),
          status: z.enum(['succeeded', 'failed']),
          stored: z.number().int().nonnegative(),
          duplicates: z.number().int().nonnegative(),
          requests: z.number().int().nonnegative(),
          /**
           * The source's own count of the items in `window` (GitHub search's issueCount), where the collector
           * reads one; absent when the source gives none, on filtered runs, and on manifests written before it.
           */
          sourceTotal: z.number().int().nonnegative().optional(),
          /** How many days the collector's source keeps what it reads, where the collector declares it. */
          sourceRetentionDays: z.number().int().positive().optional(),
          /**
           * When the window reached past that retention: the time before which the source could no longer give
           * anything, so that part of the window was not read.
           */
          sourceUnavailableBefore: timestampSchema.optional(),
          error: errorSummarySchema.nullable(),
        })
        .strict(),
    ),
    /**
     * Every record this run emitted: id, kind, hash and key, so a later deletion or change is detectable.
     * `duplicate` marks one that was already stored (by an earlier run, or by an attempt of this collection that
     * died before its manifest); its `sha256` is the stored copy's, read and proved when the run met it. Manifests
     * written before this field existed list new records only.
     */
    records: z.array(
      z
        .object({
          id: z.string(),
          kind: z.string(),
          sha256: z.string(),
          key: z.string(),
          duplicate: z.literal(true).optional(),
        })
        .strict(),
    ),
    /**
     * The `<kind>/<yyyy-mm-dd>` days (UTC, of occurredAt) its records fall on, sorted: the same list its chain link
     * carries, so an export finds the runs that vouch for a window from the links alone. Absent on older manifests.
     */
    days: z.array(z.string()).optional(),
    /**
     * On a recovery run: the runs that died before their manifest and whose stored records this one adopts
     * (each record's provenance still names its own run).
     */
    recovers: z.array(z.string().min(1)).min(1).optional(),
    sequence: z.number().int().positive(),
    previous: z
      .object({ sequence: z.number().int().positive(), key: z.string(), sha256: z.string() })
      .strict()
      .nullable(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

export type RunManifest = z.infer<typeof runManifestSchema>;
export type RunManifestDraft = Omit<
  RunManifest,
  'schemaVersion' | 'sequence' | 'previous' | 'sha256' | 'days'
>;

const chainLinkSchema = z
  .object({
    sequence: z.number().int().positive(),
    key: z.string(),
    sha256: z.string(),
    runId: z.string(),
    claimedAt: timestampSchema,
    /** The manifest's `days` (absent on links written before them: such a run's manifest must be read). */
    days: z.array(z.string()).optional(),
    /** SHA-256 of the previous link's canonical JSON: the links chain too, so their `days` cannot be edited alone. */
    previousLink: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  })
  .strict();
export type ChainLink = z.infer<typeof chainLinkSchema>;

/** `<kind>/<yyyy-mm-dd>` of each record, deduplicated and sorted: the days a run's records fall on. */
export function recordDays(records: readonly { kind: string; id: string }[]): string[] {
  const days = new Set<string>();
  for (const record of records) {
    const occurredAt = parseEvidenceId(record.id)?.occurredAt;
    days.add(`${record.kind}/${occurredAt ? occurredAt.slice(0, 10) : 'unknown'}`);
  }
  return [...days].sort();
}

/**
 * How much earlier than a range's start a run whose link has no `days` (written before they existed) may have
 * started and still hold a record of the range: a run observes what already happened (occurredAt <= its start),
 * and daily snapshots are dated at 00:00 of the day observed; one day covers that and clock skew.
 */
const LEGACY_MARGIN_MS = 86_400_000;

/**
 * Whether a link's manifest may list a record of `kinds` with occurredAt in `range`: its `days` meet the range's
 * days, or it has none (an older link) and its run started no earlier than a day before the range.
 */
export function linkMeets(link: ChainLink, kinds: ReadonlySet<string>, range: TimeRange): boolean {
  if (!link.days) {
    const startedAt = parseRunKey(link.key)?.startedAt;
    return (
      startedAt === undefined ||
      startedAt >= new Date(Date.parse(range.from) - LEGACY_MARGIN_MS).toISOString()
    );
  }
  const firstDay = range.from.slice(0, 10);
  const lastDay = new Date(Date.parse(range.to) - 1).toISOString().slice(0, 10);
  return link.days.some((entry) => {
    const slash = entry.lastIndexOf('/');
    const day = entry.slice(slash + 1);
    return kinds.has(entry.slice(0, slash)) && day >= firstDay && day <= lastDay;
  });
}

/** One link as read by a chain walk, with the manifest when the walk was asked to read it. */
export interface ChainVisit {
  sequence: number;
  link: ChainLink;
  manifest?: RunManifest;
  /** The manifest's exact stored bytes, when read. */
  bytes?: Buffer;
}

export interface VerifyChainOptions {
  /**
   * Also read the manifests of links this says yes to (besides the runs that started in `range`), e.g. the links
   * whose `days` meet an export's window. Their problems are reported like those of runs in range.
   */
  wants?: (link: ChainLink) => boolean;
  /** Told about every link read, in sequence order, with its manifest when it was read. */
  onVisit?: (visit: ChainVisit) => void | Promise<void>;
}

/** A link completeClaims finished: its run died after claiming it, before writing the manifest written now. */
export interface ClaimCompletion {
  sequence: number;
  runId: string;
  /** The manifest's key. */
  key: string;
  claimedAt: string;
}

export interface ChainProblem {
  sequence?: number;
  key?: string;
  message: string;
}

export interface ChainReport {
  connectorId: string;
  ok: boolean;
  /** Runs whose manifest and link were checked. */
  checked: number;
  head: { sequence: number; key: string; sha256: string } | null;
  problems: ChainProblem[];
}

/**
 * Run manifests, hash-chained per connector. Appending claims the next sequence number with a write-once chain
 * link (`chain/<connector>/<sequence>.json`), then writes the manifest at its dated key. A deleted or altered
 * manifest, or a missing link, breaks the chain where verifyChain can see it.
 */
export class RunStore {
  constructor(
    private readonly store: ObjectStore,
    private readonly retention: RetentionPolicy,
    private readonly now: () => Date,
  ) {}

  async append(draft: RunManifestDraft): Promise<RunManifest> {
    let head = await this.findHead(draft.connectorId);
    for (let attempt = 0; attempt < 100; attempt++) {
      const manifest = await this.claimAfter(draft, head);
      if (manifest) return manifest;
      // Another worker appended first: follow the chain to its new head and try the next slot.
      head = await this.findHead(draft.connectorId, (head?.sequence ?? 0) + 1);
    }
    throw new CrosswalkError(
      'CW_LOCKER_UNAVAILABLE',
      `could not claim a run sequence for ${draft.connectorId}`,
    );
  }

  /**
   * Appends as the sequence right after `headSequence` (the last link as the caller saw it; null: an empty
   * chain), or not at all: undefined when another run claimed that sequence first. For a writer whose manifest
   * depends on what the chain held when it looked (a recovery adopts what no manifest vouches for): it looks
   * again instead of appending a statement another run made moot.
   */
  async appendAfter(draft: RunManifestDraft, headSequence: number | null): Promise<RunManifest | undefined> {
    const head =
      headSequence === null ? undefined : await this.readLink(chainLinkKey(draft.connectorId, headSequence));
    if (headSequence !== null && !head)
      throw new CrosswalkError(
        'CW_NOT_FOUND',
        `chain link ${headSequence} of ${draft.connectorId} is missing: cannot append after it`,
        { where: chainLinkKey(draft.connectorId, headSequence) },
      );
    return this.claimAfter(draft, head);
  }

  private async claimAfter(
    draft: RunManifestDraft,
    head: ChainLink | undefined,
  ): Promise<RunManifest | undefined> {
    const key = runKey(draft.connectorId, draft.startedAt, draft.runId);
    const days = recordDays(draft.records);
    const sequence = (head?.sequence ?? 0) + 1;
    const unsigned = {
      schemaVersion: 1 as const,
      ...draft,
      days,
      sequence,
      previous: head ? { sequence: head.sequence, key: head.key, sha256: head.sha256 } : null,
    };
    const manifest = runManifestSchema.parse({ ...unsigned, sha256: canonicalSha256(unsigned) });
    const link: ChainLink = {
      sequence,
      key,
      sha256: manifest.sha256,
      runId: draft.runId,
      claimedAt: this.now().toISOString(),
      days,
      ...(head ? { previousLink: canonicalSha256(head) } : {}),
    };
    const retention = await this.retention.options();
    const body = json(manifest);
    // The manifest's bytes are staged before the claim, so a run that dies between claim and manifest write
    // leaves what recovery needs to finish its link (completeClaims): the link names their hash.
    const staged = stagedManifestKey(draft.connectorId, sequence, draft.runId);
    await this.store.put(staged, body);
    const claimed = await this.store.createOnce(
      chainLinkKey(draft.connectorId, sequence),
      json(link),
      retention,
    );
    if (claimed === 'exists') {
      await this.store.delete(staged).catch(() => undefined); // else completeClaims removes it later
      return undefined;
    }
    const written = await this.store.createOnce(key, body, retention);
    // `exists` with our own hash: a recovery finished this link from the staged bytes while we were slow.
    if (written === 'exists' && (await this.storedSha256(key)) !== manifest.sha256) {
      throw new CrosswalkError('CW_LOCKER_DUPLICATE', `run ${draft.runId} already has a manifest at ${key}`, {
        where: key,
      });
    }
    await this.store.delete(staged).catch(() => undefined); // else completeClaims removes it later
    await this.store.put(chainHeadHintKey(draft.connectorId), json({ sequence }));
    return manifest;
  }

  /**
   * Finishes the links of runs that died between claiming their sequence and writing their manifest: each such
   * run staged its manifest's exact bytes first (append), and its link names their hash, so the manifest written
   * here is the one the run would have written, and the chain is whole again. Only a staged manifest whose hash,
   * run, key and sequence match its link is written, write-once: two workers doing this at once write the same
   * bytes, one `created`, and only that one reports it. Links claimed in the last `olderThanMs` (15 s by default)
   * are left to their run, which is most likely writing the manifest now. Staged manifests whose claim was lost
   * (another run took the sequence) or that never got a link are removed once older than that too: the former
   * at once, the latter after ORPHAN_MS (their records are vouched for by a retry or by recoverUnvouched).
   */
  async completeClaims(
    connectorId: string,
    options: { olderThanMs?: number } = {},
  ): Promise<ClaimCompletion[]> {
    const olderThan = options.olderThanMs ?? IN_FLIGHT_MS;
    const now = this.now().getTime();
    const completed: ClaimCompletion[] = [];
    for await (const object of this.store.list(stagingPrefix(connectorId))) {
      const named = parseStagedManifestKey(object.key);
      if (!named) continue;
      const bytes = await this.store.get(object.key);
      const staged = bytes ? parseManifest(Buffer.from(bytes)) : undefined;
      if (!bytes || !staged || staged.sequence !== named.sequence || staged.runId !== named.runId) continue;
      const link = await this.readLink(chainLinkKey(connectorId, named.sequence));
      if (!link) {
        // Staged, never claimed: the run died (or is about to claim, hence the long wait) before its link.
        if (now - Date.parse(staged.finishedAt) > ORPHAN_MS) await this.store.delete(object.key);
        continue;
      }
      const key = runKey(connectorId, staged.startedAt, staged.runId);
      if (link.runId !== staged.runId || link.sha256 !== staged.sha256 || link.key !== key) {
        await this.store.delete(object.key); // a claim this run lost: another run holds the sequence
        continue;
      }
      if (now - Date.parse(link.claimedAt) < olderThan) continue;
      const written = await this.store.createOnce(key, bytes, await this.retention.options());
      await this.store.delete(object.key);
      if (written === 'created')
        completed.push({ sequence: named.sequence, runId: staged.runId, key, claimedAt: link.claimedAt });
    }
    return completed;
  }

  /** Runs that started in [from, to), in time order, each checked against its own hash. */
  async *list(connectorId: string, range: TimeRange): AsyncIterable<RunManifest> {
    for await (const object of this.store.list(runPrefix(connectorId), {
      startAfter: runStartAfter(connectorId, range.from),
    })) {
      const parts = parseRunKey(object.key);
      if (!parts) continue;
      if (parts.startedAt >= range.to) return;
      if (parts.startedAt < range.from) continue;
      yield await this.read(object.key);
    }
  }

  async read(key: string): Promise<RunManifest> {
    return (await this.readWithBytes(key)).manifest;
  }

  /** A manifest, proved against its own hash, with the exact bytes stored. */
  /** The sha256 a stored manifest claims, whatever else it holds; undefined when absent or unreadable. */
  private async storedSha256(key: string): Promise<string | undefined> {
    const bytes = await this.store.get(key);
    return bytes ? parseManifest(Buffer.from(bytes))?.sha256 : undefined;
  }

  async readWithBytes(key: string): Promise<{ manifest: RunManifest; bytes: Buffer }> {
    const stored = await this.store.get(key);
    if (!stored) throw new CrosswalkError('CW_NOT_FOUND', `no run manifest at ${key}`, { where: key });
    const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
    let parsed: RunManifest;
    try {
      parsed = runManifestSchema.parse(JSON.parse(bytes.toString('utf8')));
    } catch (cause) {
      throw new CrosswalkError('CW_LOCKER_CORRUPT', `run manifest at ${key} is not a valid manifest`, {
        where: key,
        cause,
        issues: cause instanceof z.ZodError ? zodIssues(cause) : [],
      });
    }
    const { sha256, ...rest } = parsed;
    if (canonicalSha256(rest) !== sha256) {
      throw new CrosswalkError('CW_LOCKER_CORRUPT', `run manifest at ${key} does not match its sha256`, {
        where: key,
      });
    }
    return { manifest: parsed, bytes };
  }

  /**
   * Walks the chain from sequence 1 to its head and reports every break: a missing or altered manifest, a link
   * that does not follow its predecessor (its `previousLink` hash, or its manifest's `previous` pointer), a gap
   * in the sequence. Manifests are read for the runs that started in `range` (all of them without a range) and
   * for the links `options.wants`; `options.onVisit` sees every link, in order, with what was read.
   */
  async verifyChain(
    connectorId: string,
    range?: TimeRange,
    options: VerifyChainOptions = {},
  ): Promise<ChainReport> {
    const problems: ChainProblem[] = [];
    let checked = 0;
    let previous: ChainLink | undefined;
    let expected = 1;
    // Links (and the manifests to read) are read VERIFY_CONCURRENCY ahead, in sequence order: one GET at a time
    // made a year of hourly runs a matter of minutes. The checks below still see them one by one.
    const reads = mapOrdered(
      this.store.list(chainPrefix(connectorId)),
      VERIFY_CONCURRENCY,
      async (object) => {
        const sequence = Number(object.key.slice(object.key.lastIndexOf('/') + 1, -'.json'.length));
        if (!Number.isInteger(sequence) || sequence < 1) return undefined; // head.json, the hint
        const linkProblems: ChainProblem[] = [];
        const link = await this.readLink(object.key, linkProblems);
        const runStart = link ? parseRunKey(link.key)?.startedAt : undefined;
        const inRange = !range || (runStart !== undefined && runStart >= range.from && runStart < range.to);
        const read = link !== undefined && (inRange || options.wants?.(link) === true);
        let manifest: RunManifest | undefined;
        let bytes: Buffer | undefined;
        let failure: unknown;
        if (link && read) {
          try {
            ({ manifest, bytes } = await this.readClaimed(link));
          } catch (error) {
            failure = error;
          }
        }
        return { sequence, link, linkProblems, read, manifest, bytes, failure };
      },
    );
    for await (const item of reads) {
      if (!item) continue;
      const { sequence, link } = item;
      problems.push(...item.linkProblems);
      if (!link) {
        expected = sequence + 1;
        continue;
      }
      if (sequence !== expected) {
        problems.push({
          sequence: expected,
          message: `chain links ${expected}..${sequence - 1} are missing`,
        });
      }
      expected = sequence + 1;
      if (
        link.previousLink !== undefined &&
        previous !== undefined &&
        previous.sequence === sequence - 1 &&
        link.previousLink !== canonicalSha256(previous)
      ) {
        problems.push({
          sequence,
          key: chainLinkKey(connectorId, sequence),
          message: `chain link ${sequence} does not follow link ${sequence - 1} (its hash differs): a link was replaced`,
        });
      }
      if (item.read) {
        checked++;
        const { manifest } = item;
        if (manifest) {
          if (manifest.sha256 !== link.sha256 || manifest.sequence !== sequence) {
            problems.push({
              sequence,
              key: link.key,
              message: 'manifest differs from the one its chain link recorded',
            });
          } else if (link.days !== undefined && canonicalJson(link.days) !== canonicalJson(manifest.days)) {
            problems.push({
              sequence,
              key: link.key,
              message: 'chain link names other days than its manifest',
            });
          }
          const wanted = previous
            ? { sequence: previous.sequence, key: previous.key, sha256: previous.sha256 }
            : null;
          if (sequence > 1 && previous && canonicalJson(manifest.previous) !== canonicalJson(wanted)) {
            problems.push({
              sequence,
              key: link.key,
              message: 'manifest does not point at the previous run',
            });
          }
        } else {
          const error = item.failure;
          const missing = (error as CrosswalkError).code === 'CW_NOT_FOUND';
          const staged = missing && (await this.isStaged(connectorId, sequence, link));
          problems.push({
            sequence,
            key: link.key,
            message: missing
              ? `run ${link.runId} claimed sequence ${sequence} at ${link.claimedAt} but its manifest is missing` +
                (staged
                  ? ' (the run died before writing it; its staged manifest is there: the worker, or `crosswalk locker recover`, writes it)'
                  : '')
              : (error as Error).message,
          });
        }
      }
      await options.onVisit?.({
        sequence,
        link,
        ...(item.manifest ? { manifest: item.manifest, bytes: item.bytes! } : {}),
      });
      previous = link;
    }
    return {
      connectorId,
      ok: problems.length === 0,
      checked,
      head: previous ? { sequence: previous.sequence, key: previous.key, sha256: previous.sha256 } : null,
      problems,
    };
  }

  /**
   * A linked manifest. A run writes its manifest right after claiming its link, so a manifest missing behind a
   * link claimed moments ago is most likely being written: it is waited for (up to IN_FLIGHT_MS after the claim)
   * before it counts as missing.
   */
  private async readClaimed(link: ChainLink): Promise<{ manifest: RunManifest; bytes: Buffer }> {
    const age = this.now().getTime() - Date.parse(link.claimedAt);
    const recent = Math.abs(age) <= IN_FLIGHT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.readWithBytes(link.key);
      } catch (error) {
        if ((error as CrosswalkError).code !== 'CW_NOT_FOUND' || !recent || attempt >= IN_FLIGHT_RETRIES)
          throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** Whether the run of `link` left its manifest staged (it died between claim and manifest write). */
  private async isStaged(connectorId: string, sequence: number, link: ChainLink): Promise<boolean> {
    try {
      const bytes = await this.store.get(stagedManifestKey(connectorId, sequence, link.runId));
      return bytes !== undefined && parseManifest(Buffer.from(bytes))?.sha256 === link.sha256;
    } catch {
      return false; // a run id no key can hold, or the store failing: no hint, the problem stands as it is
    }
  }

  private async readLink(key: string, problems?: ChainProblem[]): Promise<ChainLink | undefined> {
    const bytes = await this.store.get(key);
    if (!bytes) return undefined;
    const parsed = chainLinkSchema.safeParse(safeJson(bytes));
    if (!parsed.success) {
      problems?.push({ key, message: `chain link ${key} is not valid` });
      if (!problems)
        throw new CrosswalkError('CW_LOCKER_CORRUPT', `chain link ${key} is not valid`, { where: key });
      return undefined;
    }
    return parsed.data;
  }

  /** The last claimed link: from the head hint, then forward while later links exist (the hint may lag). */
  private async findHead(connectorId: string, atLeast = 0): Promise<ChainLink | undefined> {
    const hintBytes = await this.store.get(chainHeadHintKey(connectorId));
    const hinted = (safeJson(hintBytes) as { sequence?: number } | undefined)?.sequence;
    let sequence = Math.max(Number.isInteger(hinted) ? hinted! : 0, atLeast);
    if (sequence === 0) {
      // No hint: the first run, or a hint lost. Walk the links once.
      for await (const object of this.store.list(chainPrefix(connectorId))) {
        const n = Number(object.key.slice(object.key.lastIndexOf('/') + 1, -'.json'.length));
        if (Number.isInteger(n) && n > sequence) sequence = n;
      }
      if (sequence === 0) return undefined;
    }
    let head = await this.readLink(chainLinkKey(connectorId, sequence));
    for (;;) {
      const next = await this.readLink(chainLinkKey(connectorId, sequence + 1));
      if (!next) break;
      head = next;
      sequence++;
    }
    return head;
  }
}

/** A manifest that parses and matches its own hash; undefined otherwise. */
function parseManifest(bytes: Buffer): RunManifest | undefined {
  const parsed = runManifestSchema.safeParse(safeJson(bytes));
  if (!parsed.success) return undefined;
  const { sha256, ...rest } = parsed.data;
  return canonicalSha256(rest) === sha256 ? parsed.data : undefined;
}

function json(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value));
}

function safeJson(bytes: Uint8Array | undefined): unknown {
  if (!bytes) return undefined;
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
}

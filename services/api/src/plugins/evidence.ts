import { type FrameworkId, findControl, getControl, kindsFor, resolveFramework } from '@crosswalk/controls';
import {
  CrosswalkError,
  EVIDENCE_ID_PATTERN,
  type EvidenceKind,
  evidenceKindIds,
  isCrosswalkError,
  parseEvidenceId,
} from '@crosswalk/core';
import { keys, type RecordRef } from '@crosswalk/locker';
import { z } from 'zod';
import { chainProof } from '../chain-proof.js';
import { compare, decodeCursor, encodeCursor, isAfter, type Position } from '../cursor.js';
import { atField } from '../errors.js';
import { Listings } from '../listings.js';
import { RecordCache } from '../record-cache.js';
import { bearer, limitParam, responses } from '../schemas.js';
import {
  allowsKind,
  assertFramework,
  assertInstant,
  assertKinds,
  assertWindow,
  frameworksOfKind,
  scopeOf,
} from '../scope.js';
import { instantParam, MAX_INSTANT, MIN_INSTANT } from '../time.js';
import { feature, PROTECTED } from './feature.js';

const evidenceItemSchema = z
  .looseObject({
    id: z.string(),
    kind: z.string(),
    occurredAt: z.string(),
    collectedAt: z.string(),
    storedAt: z.string(),
    owner: z.record(z.string(), z.unknown()),
    source: z.record(z.string(), z.unknown()),
    controls: z.record(z.string(), z.unknown()),
    payload: z.record(z.string(), z.unknown()),
    provenance: z.record(z.string(), z.unknown()),
    sha256: z.string(),
    key: z.string().describe("The record's locker key"),
  })
  .describe('An evidence record (docs/architecture.md, "The evidence record") and its locker key');

/**
 * Built when the plugin registers, after the composition registered every connector's kinds, so the OpenAPI
 * document lists the kinds as an enum.
 */
const chainProofSchema = z
  .object({
    connectorId: z.string(),
    run: z
      .object({
        runId: z.string(),
        sequence: z.number(),
        startedAt: z.string(),
        key: z.string(),
        sha256: z.string(),
      })
      .nullable(),
    listed: z.object({ sha256: z.string(), duplicate: z.boolean() }).nullable(),
    link: z
      .object({
        sequence: z.number(),
        sha256: z.string(),
        claimedAt: z.string(),
        previousLink: z.string().nullable(),
      })
      .nullable(),
    verified: z.boolean(),
    problems: z.array(z.string()),
  })
  .describe("A record's place in its run chain");

const querySchema = () =>
  z
    .object({
      framework: z
        .string()
        .max(50)
        .optional()
        .describe('soc2-2017, iso27001-2022, iso27001-2013 or an alias (soc2, iso)'),
      control: z
        .string()
        .max(50)
        .optional()
        .describe('A control id, e.g. CC8.1 or A.8.32; the framework is inferred when unambiguous'),
      kind: z.enum(evidenceKindIds() as [EvidenceKind, ...EvidenceKind[]]).optional(),
      from: instantParam.optional().describe('occurredAt from (inclusive), UTC'),
      to: instantParam.optional().describe('occurredAt to (exclusive), UTC'),
      cursor: z.string().max(500).optional().describe('nextCursor of the previous page'),
      limit: limitParam,
    })
    .strict();

const PRIMARY: FrameworkId[] = ['soc2-2017', 'iso27001-2022'];

/** The framework a bare control id belongs to: the one primary framework that has it. */
function inferFramework(control: string): FrameworkId {
  const matches = PRIMARY.filter((framework) => findControl(framework, control) !== undefined);
  if (matches.length === 1) return matches[0]!;
  throw new CrosswalkError(
    'CW_CONTROL_UNKNOWN',
    matches.length === 0
      ? `no framework has a control "${control}"`
      : `control "${control}" exists in ${matches.join(' and ')}: name the framework`,
    { where: 'query.control', issues: [{ path: 'query.control', message: 'is unknown or ambiguous' }] },
  );
}

/**
 * One page of refs across kinds, in (occurredAt, id) order, strictly after `after`: a k-way merge of the
 * kinds' range listings (each already in that order), reading at most `limit + 1` keys past the cursor.
 */
async function pageOfRefs(
  listings: Listings,
  kinds: readonly EvidenceKind[],
  window: { from: string; to: string },
  after: Position | undefined,
  limit: number,
): Promise<{ refs: RecordRef[]; more: boolean }> {
  const from = after && after.at > window.from ? after.at : window.from;
  if (from >= window.to) return { refs: [], more: false };
  const cursors = kinds.map((kind) => listings.refs(kind, { from, to: window.to }));
  const next = async (i: number): Promise<RecordRef | undefined> => {
    for (;;) {
      const step = await cursors[i]!.next();
      if (step.done) return undefined;
      if (isAfter({ at: step.value.occurredAt, id: step.value.id }, after)) return step.value;
    }
  };
  try {
    const heads = await Promise.all(kinds.map((_, i) => next(i)));
    const refs: RecordRef[] = [];
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i];
        if (!head) continue;
        const current = best < 0 ? undefined : heads[best]!;
        if (
          !current ||
          compare({ at: head.occurredAt, id: head.id }, { at: current.occurredAt, id: current.id }) < 0
        ) {
          best = i;
        }
      }
      if (best < 0) return { refs, more: false };
      if (refs.length === limit) return { refs, more: true };
      refs.push(heads[best]!);
      heads[best] = await next(best);
    }
  } finally {
    await Promise.all(cursors.map((cursor) => cursor.return(undefined)));
  }
}

/** Reads and verifies records (through the cache), a few at a time, keeping their order: each as its JSON. */
async function readAll(cache: RecordCache, refs: RecordRef[], concurrency = 16): Promise<string[]> {
  const items: string[] = new Array(refs.length);
  let index = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, refs.length) }, async () => {
      while (index < refs.length) {
        const i = index++;
        items[i] = await cache.json(refs[i]!);
      }
    }),
  );
  return items;
}

/**
 * `/v1/evidence` (auditor and up): chronological pages of verified records for a control (every kind mapped to
 * it), a framework, or a kind, in a UTC window [from, to); and one record by id. A scoped key gets 403 for
 * anything outside its period or frameworks; omitted bounds default to its scope.
 */
export const evidencePlugin = feature('crosswalk-evidence', PROTECTED, async (app) => {
  const query = querySchema();
  const { locker } = app.runtime;
  // Pages of a window are read again and again (auditors page through the same months); records never change.
  const cache = new RecordCache(locker);
  const listings = new Listings(locker);

  app.get(
    '',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Evidence for a control, framework or kind in a window, oldest first',
        description:
          'Items are ordered by occurredAt, then id. `nextCursor` is null on the last page. With neither ' +
          'control, framework nor kind, every kind the key may read.',
        security: bearer,
        querystring: query,
        response: responses(
          {
            200: z.object({
              items: z.array(evidenceItemSchema),
              nextCursor: z.string().nullable(),
              query: z.object({
                framework: z.string().nullable(),
                control: z.string().nullable(),
                kinds: z.array(z.string()),
                from: z.string(),
                to: z.string(),
              }),
            }),
          },
          [400, 401, 403],
        ),
      },
    },
    async (request, reply) => {
      const query = request.query;
      const scope = scopeOf(request.apiKey);
      let framework =
        query.framework === undefined
          ? undefined
          : atField('query.framework', () => resolveFramework(query.framework!));
      let control: string | undefined;
      let kinds: EvidenceKind[] = [...evidenceKindIds()];
      if (query.control !== undefined) {
        framework ??= inferFramework(query.control);
        const chosen = framework;
        control = atField('query.control', () => getControl(chosen, query.control!).id);
        kinds = [...kindsFor(framework, control)];
      } else if (framework !== undefined) {
        const chosen = framework;
        kinds = kinds.filter((kind) => frameworksOfKind(kind).includes(chosen));
      } else if (query.kind === undefined) {
        kinds = kinds.filter((kind) => allowsKind(scope, kind));
      }
      if (query.kind !== undefined) kinds = kinds.filter((kind) => kind === query.kind);
      if (framework !== undefined) assertFramework(scope, framework);
      else assertKinds(scope, kinds);

      const from = query.from ?? scope?.from ?? MIN_INSTANT;
      const to = query.to ?? scope?.to ?? MAX_INSTANT;
      if (from > to) {
        throw new CrosswalkError('CW_INPUT_INVALID', `from (${from}) is after to (${to})`, {
          where: 'query.to',
          issues: [{ path: 'query.to', message: 'must not be before from' }],
        });
      }
      assertWindow(scope, { from, to });
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);

      // Over several kinds, only those holding any record are listed (one listing of the kinds present).
      const present = kinds.length > 1 ? await listings.kindsPresent() : undefined;
      const listed = present ? kinds.filter((kind) => present.has(kind)) : kinds;
      const { refs, more } = await pageOfRefs(listings, listed, { from, to }, after, query.limit);
      const items = await readAll(cache, refs);
      const last = refs.at(-1);
      const nextCursor = more && last ? encodeCursor({ at: last.occurredAt, id: last.id }) : null;
      const echo = { framework: framework ?? null, control: control ?? null, kinds, from, to };
      // The page is assembled from each record's JSON as the cache keeps it: verified on read, never parsed,
      // copied or checked against the response schema again (that cost more than the rest of a cached page).
      // The schema above still documents the answer.
      return reply
        .type('application/json; charset=utf-8')
        .send(
          `{"items":[${items.join(',')}],"nextCursor":${JSON.stringify(nextCursor)},"query":${JSON.stringify(echo)}}`,
        );
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['evidence'],
        summary: 'One evidence record by id, verified against its hash',
        security: bearer,
        params: z.object({
          id: z
            .string()
            .regex(EVIDENCE_ID_PATTERN, 'must be an evidence id: <kind>~<yyyymmddThhmmssmmmZ>~<digest>'),
        }),
        response: responses({ 200: evidenceItemSchema }, [400, 401, 403, 404]),
      },
    },
    async (request) => {
      const record = await readableRecord(request.params.id, request.apiKey);
      return { ...record, key: keys.evidenceKey(record) };
    },
  );

  app.get(
    '/:id/chain',
    {
      schema: {
        tags: ['evidence'],
        summary:
          "Where a record sits in its connector's run chain: the manifest listing it and the link claiming that",
        description:
          "The run that stored the record (its provenance), that run's manifest entry for the record (hash must " +
          "match), and the chain link at the manifest's sequence (hash must match the manifest). `verified` is true " +
          'when all three agree; `problems` says what does not. The walk of the whole chain is `crosswalk locker ' +
          "verify-runs` and an export's offline verify.",
        security: bearer,
        params: z.object({
          id: z
            .string()
            .regex(EVIDENCE_ID_PATTERN, 'must be an evidence id: <kind>~<yyyymmddThhmmssmmmZ>~<digest>'),
        }),
        response: responses({ 200: chainProofSchema }, [400, 401, 403, 404]),
      },
    },
    async (request) => chainProof(locker, await readableRecord(request.params.id, request.apiKey)),
  );

  /** The record with this id, when the key may read it: its kind in the key's frameworks, its time in its period. */
  async function readableRecord(id: string, apiKey: Parameters<typeof scopeOf>[0]) {
    const parts = parseEvidenceId(id);
    if (!parts) {
      throw new CrosswalkError('CW_INPUT_INVALID', 'not an evidence id: unknown kind or impossible time', {
        where: 'params.id',
        issues: [{ path: 'params.id', message: 'is not an evidence id' }],
      });
    }
    const scope = scopeOf(apiKey);
    assertKinds(scope, [parts.kind]);
    assertInstant(scope, parts.occurredAt, 'params.id');
    return locker.records.getById(id).catch((error: unknown) => {
      if (!isCrosswalkError(error, 'CW_NOT_FOUND')) throw error;
      throw new CrosswalkError('CW_NOT_FOUND', `no evidence ${id}`, { where: 'params.id' });
    });
  }
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type EvidenceDraft, type EvidenceRecord, sealRecord, serializeRecord } from '@crosswalk/core';
import { pullRequestDraft, scheduledProvenance } from '@crosswalk/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { Locker, type ObjectStore, PROBE_PREFIX, type RunManifestDraft } from '../src/index.js';
import { runDraft } from './fixtures.js';

/**
 * How a test removes or replaces what a write-once key holds, as someone with the bucket's credentials would.
 * Where the store keeps every version (a versioned bucket), a plain delete or put leaves the first write in place
 * and readers still see it, so the driver's test supplies hooks that remove the versions themselves.
 */
export interface TamperHooks {
  destroy(store: ObjectStore, key: string): Promise<void>;
  replace(store: ObjectStore, key: string, bytes: Uint8Array): Promise<void>;
}

const plainTampering: TamperHooks = {
  destroy: (store, key) => store.delete(key),
  replace: (store, key, bytes) => store.put(key, bytes),
};

/**
 * One contract, every driver: the filesystem and S3 drivers (plain and versioned, Object Lock, buckets) must be
 * indistinguishable to the locker. `makeStore` returns a fresh, empty store for each test.
 */
export function lockerContract(
  driver: string,
  makeStore: () => Promise<ObjectStore>,
  tamper: TamperHooks = plainTampering,
): void {
  describe(`the locker contract on the ${driver} driver`, () => {
    let store: ObjectStore;
    let locker: Locker;

    beforeEach(async () => {
      store = await makeStore();
      locker = new Locker(store);
    });

    const bytes = (text: string) => Buffer.from(text);
    const text = (data: Uint8Array | undefined) => (data ? Buffer.from(data).toString('utf8') : undefined);

    describe('write-once objects', () => {
      it('creates an absent key and refuses to overwrite it', async () => {
        expect(await store.createOnce('a/b.json', bytes('first'))).toBe('created');
        expect(await store.createOnce('a/b.json', bytes('second'))).toBe('exists');
        expect(await store.createOnce('a/b.json', bytes('third'))).toBe('exists');
        expect(text(await store.get('a/b.json'))).toBe('first');
        const listed = [];
        for await (const o of store.list('a/')) listed.push(o);
        expect(listed).toEqual([expect.objectContaining({ key: 'a/b.json', size: 5 })]);
        expect(text(await store.get('a/b.json', { versionId: listed[0]!.versionId }))).toBe('first');
      });

      it('refuses a second file at a key written once, and serves the first', async () => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'crosswalk-contract-'));
        try {
          await writeFile(path.join(dir, 'second.zip'), 'second bundle');
          expect(await store.createOnce('exports/e0/bundle.zip', bytes('first bundle'))).toBe('created');
          expect(
            await store.createFromFileOnce(
              'exports/e0/bundle.zip',
              path.join(dir, 'second.zip'),
              'application/zip',
            ),
          ).toBe('exists');
          const opened = await store.openRead('exports/e0/bundle.zip');
          const chunks: Buffer[] = [];
          for await (const chunk of opened!.body) chunks.push(chunk as Buffer);
          expect(Buffer.concat(chunks).toString()).toBe('first bundle');
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });

      it('knows how it keeps write-once before the first write', async () => {
        expect(['conditional', 'first-version']).toContain(await store.writeOnceMode());
        // Finding out wrote nothing a reader of the evidence, runs, chain, audit or exports would list.
        for (const prefix of ['evidence/', 'runs/', 'chain/', 'audit/', 'exports/']) {
          for await (const o of store.list(prefix)) expect.unreachable(`probe left ${o.key}`);
        }
      });

      it('lets exactly one of many concurrent writers of one key win', async () => {
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.createOnce('race.json', bytes(`writer-${i}`))),
        );
        expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
        const winner = outcomes.indexOf('created');
        expect(text(await store.get('race.json'))).toBe(`writer-${winner}`);
      });
    });

    describe('mutable objects', () => {
      it('replaces, reads and deletes', async () => {
        await store.put('state/x.json', bytes('1'));
        await store.put('state/x.json', bytes('2'));
        expect(text(await store.get('state/x.json'))).toBe('2');
        await store.delete('state/x.json');
        expect(await store.get('state/x.json')).toBeUndefined();
        await store.delete('state/x.json');
      });
    });

    describe('large objects from files', () => {
      it('stores a file once, streams it back whole, and refuses a second file at the key', async () => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'crosswalk-contract-'));
        try {
          // Larger than one stream chunk (64 KiB), with every byte value, so truncation or re-encoding shows.
          const content = Buffer.alloc(300_000);
          for (let i = 0; i < content.length; i++) content[i] = (i * 7) % 256;
          const first = path.join(dir, 'first.zip');
          const second = path.join(dir, 'second.zip');
          await writeFile(first, content);
          await writeFile(second, 'other');
          expect(await store.createFromFileOnce('exports/e1/bundle.zip', first, 'application/zip')).toBe(
            'created',
          );
          expect(await store.createFromFileOnce('exports/e1/bundle.zip', second, 'application/zip')).toBe(
            'exists',
          );
          const opened = await store.openRead('exports/e1/bundle.zip');
          expect(opened?.size).toBe(content.length);
          const chunks: Buffer[] = [];
          for await (const chunk of opened!.body) chunks.push(chunk as Buffer);
          expect(Buffer.concat(chunks).equals(content)).toBe(true);
          expect(await store.openRead('exports/none/bundle.zip')).toBeUndefined();
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    });

    describe('listing', () => {
      it('returns keys under a prefix in ascending order, strictly after startAfter', async () => {
        const keys = [
          'p/2026/01/02/b',
          'p/2026/01/02/a',
          'p/2026/01/10/a',
          'p/2025/12/31/z',
          'q/2026/01/01/a',
          'p-x/a',
        ];
        for (const key of keys) await store.createOnce(key, bytes(key));
        const all: string[] = [];
        for await (const o of store.list('p/')) all.push(o.key);
        expect(all).toEqual(['p/2025/12/31/z', 'p/2026/01/02/a', 'p/2026/01/02/b', 'p/2026/01/10/a']);
        const after: string[] = [];
        for await (const o of store.list('p/', { startAfter: 'p/2026/01/02/a' })) after.push(o.key);
        expect(after).toEqual(['p/2026/01/02/b', 'p/2026/01/10/a']);
        const small: string[] = [];
        for await (const o of store.list('p/', { pageSize: 2 })) small.push(o.key);
        expect(small).toEqual(all);
        const sizes: number[] = [];
        for await (const o of store.list('p/2026/01/1')) sizes.push(o.size);
        expect(sizes).toEqual(['p/2026/01/10/a'.length]);
      });

      it('pages past 1,000 keys without losing or repeating one', async () => {
        const keys = Array.from({ length: 1_050 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
        for (let i = 0; i < keys.length; i += 50) {
          await Promise.all(keys.slice(i, i + 50).map((key) => store.createOnce(key, bytes('x'))));
        }
        const seen: string[] = [];
        for await (const o of store.list('many/')) seen.push(o.key);
        expect(seen).toEqual(keys);
        // 1,050 creates: on a first-version-wins bucket each is HEAD, PUT and a version list.
      }, 120_000);
    });

    describe('evidence records', () => {
      const at = (occurredAt: string, ref: string) =>
        sealRecord(pullRequestDraft({ occurredAt, ref }), '2026-12-01T00:00:00.000Z');

      it('stores a record once; the same id again is a duplicate and the first bytes stay', async () => {
        const first = at('2026-03-10T14:22:05.123Z', 'acme/api#1');
        const again = sealRecord(
          {
            ...pullRequestDraft({ occurredAt: first.occurredAt, ref: 'acme/api#1' }),
            collectedAt: '2026-04-01T00:00:00.000Z',
          },
          '2026-12-02T00:00:00.000Z',
        );
        expect(again.id).toBe(first.id);
        expect(again.sha256).not.toBe(first.sha256);
        const stored = await locker.records.put(first);
        expect(stored.status).toBe('stored');
        const duplicate = await locker.records.put(again);
        expect(duplicate).toEqual({ status: 'duplicate', key: stored.key });
        expect(text(await store.get(stored.key))).toBe(serializeRecord(first));
        expect(await locker.records.get(stored.key)).toEqual(first);
        expect(await locker.records.getById(first.id)).toEqual(first);
        expect(await locker.records.put(again)).toEqual({ status: 'duplicate', key: stored.key });
        const listed: EvidenceRecord[] = [];
        for await (const r of locker.records.list(first.kind, {
          from: '2026-03-01T00:00:00.000Z',
          to: '2026-04-01T00:00:00.000Z',
        }))
          listed.push(r);
        expect(listed).toEqual([first]);
        await expect(locker.records.getById(first.id.replace(/~[0-9a-f]{4}/, '~0000'))).rejects.toMatchObject(
          {
            code: 'CW_NOT_FOUND',
          },
        );
      });

      it('reports a record with one flipped byte as corrupt and never returns it', async () => {
        const record = at('2026-03-10T14:22:05.123Z', 'acme/api#2');
        const { key } = await locker.records.put(record);
        const tampered = Buffer.from((await store.get(key))!);
        const offset = tampered.indexOf('Rotate signing keys');
        tampered[offset] = tampered[offset]! ^ 0x01;
        await tamper.replace(store, key, tampered);
        await expect(locker.records.get(key)).rejects.toMatchObject({
          code: 'CW_LOCKER_CORRUPT',
          where: key,
        });
        const listed = async () => {
          for await (const _ of locker.records.list(record.kind, {
            from: '2026-03-01T00:00:00.000Z',
            to: '2026-04-01T00:00:00.000Z',
          })) {
            // draining
          }
        };
        await expect(listed()).rejects.toMatchObject({ code: 'CW_LOCKER_CORRUPT' });
      });

      it('refuses a record whose hash does not match, writing nothing', async () => {
        const record = at('2026-03-10T14:22:05.123Z', 'acme/api#3');
        const forged = {
          ...record,
          payload: { ...record.payload, title: 'changed after sealing' },
        } as EvidenceRecord;
        await expect(locker.records.put(forged)).rejects.toMatchObject({ code: 'CW_RECORD_INVALID' });
        const keys: string[] = [];
        for await (const o of store.list('evidence/')) keys.push(o.key);
        expect(keys).toEqual([]);
      });

      it('lists a kind over [from, to): the start is in, the end is out, neighbours are out', async () => {
        const times = [
          '2026-01-31T23:59:59.999Z', // before
          '2026-02-01T00:00:00.000Z', // exactly from: in
          '2026-02-14T12:00:00.000Z', // inside
          '2026-02-28T23:59:59.999Z', // last instant: in
          '2026-03-01T00:00:00.000Z', // exactly to: out
        ];
        for (const [i, t] of times.entries()) await locker.records.put(at(t, `acme/api#${i + 10}`));
        const range = { from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' };
        const found: string[] = [];
        for await (const r of locker.records.list('github.pull_request.approval', range, { concurrency: 3 }))
          found.push(r.occurredAt);
        expect(found).toEqual(times.slice(1, 4));
        const refs: string[] = [];
        for await (const r of locker.records.refs('github.pull_request.approval', range))
          refs.push(r.occurredAt);
        expect(refs).toEqual(found);
        const other: unknown[] = [];
        for await (const r of locker.records.list('github.member_removed', range)) other.push(r);
        expect(other).toEqual([]);
      });
    });

    describe('what is not evidence', () => {
      const day = { from: '2026-03-10T00:00:00.000Z', to: '2026-03-11T00:00:00.000Z' };
      const drain = async <T>(source: AsyncIterable<T>) => {
        const out: T[] = [];
        for await (const item of source) out.push(item);
        return out;
      };

      it('checks the locker with a probe under probe/ and adds nothing to the evidence', async () => {
        const reports: unknown[] = [];
        const check = await locker.check((c) => reports.push(c));
        expect(check).toMatchObject({
          firstWrite: 'created',
          secondWrite: 'exists',
          readBack: 'first write',
          location: store.location,
        });
        expect(reports).toEqual([check]);
        expect(check.key.startsWith(`${PROBE_PREFIX}check/`)).toBe(true);
        expect(await drain(store.list('evidence/'))).toEqual([]);
        expect(await drain(store.list('runs/'))).toEqual([]);
        expect((await drain(store.list(PROBE_PREFIX))).map((o) => o.key)).toContain(check.key);
      });

      it('leaves the records the old locker check wrote out of every evidence read, and nothing else', async () => {
        const real = sealRecord(orgMembersDraft('2026-03-10T06:00:00.000Z'), '2026-03-10T06:00:01.000Z');
        // Exactly what `crosswalk locker check` stored before probes moved to probe/: same kind, source, collector.
        const probeAt = '2026-03-10T09:30:00.000Z';
        const probe = sealRecord(legacyProbeDraft(probeAt), probeAt);
        // Near misses are evidence: one field away from the old probe is not the old probe.
        const nearMisses = [
          {
            ...legacyProbeDraft('2026-03-10T10:00:00.000Z'),
            source: { ...legacyProbeDraft(probeAt).source, system: 'github' },
          },
          {
            ...legacyProbeDraft('2026-03-10T11:00:00.000Z'),
            source: { ...legacyProbeDraft(probeAt).source, ref: 'probe-not-a-uuid' },
          },
          {
            ...legacyProbeDraft('2026-03-10T12:00:00.000Z'),
            provenance: {
              ...legacyProbeDraft(probeAt).provenance,
              connector: { id: 'locker-check', type: 'github', version: '1.0.0' },
            },
          },
        ].map((draft) => sealRecord(draft, '2026-03-10T13:00:00.000Z'));
        for (const record of [real, probe, ...nearMisses]) await locker.records.put(record);

        const listed = await drain(locker.records.list('github.org_members', day));
        expect(listed.map((r) => r.id)).toEqual([real.id, ...nearMisses.map((r) => r.id)]);
        const refs = await drain(locker.records.refs('github.org_members', day));
        expect(refs.map((r) => r.id)).toEqual(listed.map((r) => r.id));
        // Still stored, still readable by its key: left out of populations, not hidden from a direct look.
        expect((await locker.records.getById(probe.id)).id).toBe(probe.id);
      });

      it('never takes a record whose bytes were replaced to look like a probe for one', async () => {
        const real = sealRecord(orgMembersDraft('2026-03-10T06:00:00.000Z'), '2026-03-10T06:00:01.000Z');
        const { key } = await locker.records.put(real);
        const probeLike = sealRecord(
          legacyProbeDraft('2026-03-10T06:00:00.000Z'),
          '2026-03-10T06:00:01.000Z',
        );
        await tamper.replace(store, key, Buffer.from(serializeRecord(probeLike)));
        // The refs still name it, and reading it says what happened to it.
        expect((await drain(locker.records.refs('github.org_members', day))).map((r) => r.key)).toEqual([
          key,
        ]);
        await expect(drain(locker.records.list('github.org_members', day))).rejects.toMatchObject({
          code: 'CW_LOCKER_CORRUPT',
          where: key,
        });
      });
    });

    describe('run manifests', () => {
      const run = (n: number, overrides: Partial<RunManifestDraft> = {}): RunManifestDraft =>
        runDraft({
          runId: `run-${n}`,
          startedAt: `2026-03-${String(n).padStart(2, '0')}T00:00:00.000Z`,
          finishedAt: `2026-03-${String(n).padStart(2, '0')}T00:05:00.000Z`,
          ...overrides,
        });

      it('chains each run to the one before', async () => {
        const a = await locker.runs.append(run(1));
        const b = await locker.runs.append(run(2));
        expect(a.sequence).toBe(1);
        expect(a.previous).toBeNull();
        expect(b.previous).toMatchObject({ sequence: 1, sha256: a.sha256 });
        const report = await locker.runs.verifyChain('github-acme');
        expect(report).toMatchObject({ ok: true, checked: 2, head: { sequence: 2, sha256: b.sha256 } });
      });

      it('gives concurrent appends distinct, contiguous sequence numbers', async () => {
        const manifests = await Promise.all([1, 2, 3, 4, 5].map((n) => locker.runs.append(run(n))));
        expect(manifests.map((m) => m.sequence).sort()).toEqual([1, 2, 3, 4, 5]);
        expect((await locker.runs.verifyChain('github-acme')).ok).toBe(true);
      });

      it('leaves no staged manifest behind once appended, also after claims lost to concurrent appends', async () => {
        await Promise.all([1, 2, 3, 4].map((n) => locker.runs.append(run(n))));
        const staged: string[] = [];
        for await (const object of store.list('staging/')) staged.push(object.key);
        expect(staged).toEqual([]);
      });

      it('reports a deleted run and an altered run as breaks in the chain', async () => {
        await locker.runs.append(run(1));
        const second = await locker.runs.append(run(2));
        const third = await locker.runs.append(run(3));
        const secondKey = third.previous!.key;
        await tamper.destroy(store, secondKey);
        let report = await locker.runs.verifyChain('github-acme');
        expect(report.ok).toBe(false);
        expect(report.problems).toEqual([
          expect.objectContaining({
            sequence: 2,
            message: expect.stringMatching(/run-2 claimed sequence 2 .* manifest is missing/),
          }),
        ]);
        await tamper.replace(store, secondKey, Buffer.from(JSON.stringify({ ...second, status: 'failed' })));
        report = await locker.runs.verifyChain('github-acme');
        expect(report.problems[0]?.message).toMatch(/does not match its sha256/);
      });

      it('lists runs by start time', async () => {
        for (const n of [1, 2, 3]) await locker.runs.append(run(n));
        const ids: string[] = [];
        for await (const m of locker.runs.list('github-acme', {
          from: '2026-03-02T00:00:00.000Z',
          to: '2026-03-03T00:00:00.000Z',
        }))
          ids.push(m.runId);
        expect(ids).toEqual(['run-2']);
      });
    });

    describe('cursors, config and audit', () => {
      it('keeps a connector cursor durably and replaces it', async () => {
        expect(await locker.state.get('github-acme')).toBeUndefined();
        await locker.state.put({
          connectorId: 'github-acme',
          updatedAt: '2026-03-01T00:00:00.000Z',
          cursors: { prs: 'c1' },
        });
        await locker.state.put({
          connectorId: 'github-acme',
          updatedAt: '2026-03-02T00:00:00.000Z',
          cursors: { prs: 'c2' },
        });
        expect((await locker.state.get('github-acme'))?.cursors).toEqual({ prs: 'c2' });
      });

      it('stores, lists and deletes connector configs', async () => {
        await locker.configs.put('github-acme', { type: 'github', org: 'acme' });
        await locker.configs.put('okta-acme', { type: 'okta' });
        const ids: string[] = [];
        for await (const id of locker.configs.ids()) ids.push(id);
        expect(ids).toEqual(['github-acme', 'okta-acme']);
        expect(await locker.configs.get('github-acme')).toEqual({ type: 'github', org: 'acme' });
        await locker.configs.delete('github-acme');
        expect(await locker.configs.get('github-acme')).toBeUndefined();
      });

      it('appends audit entries once and lists them by period', async () => {
        await locker.audit.append({
          actor: 'key:admin1',
          action: 'connector.create',
          target: 'github-acme',
          details: {},
          at: '2026-03-01T10:00:00.000Z',
        });
        await locker.audit.append({
          actor: 'key:aud1',
          action: 'export.create',
          target: 'exp-1',
          details: { frameworks: ['soc2-2017'] },
          at: '2026-03-05T10:00:00.000Z',
        });
        const entries: string[] = [];
        for await (const e of locker.audit.list({
          from: '2026-03-02T00:00:00.000Z',
          to: '2026-04-01T00:00:00.000Z',
        }))
          entries.push(e.action);
        expect(entries).toEqual(['export.create']);
      });
    });
  });
}

function orgMembersDraft(occurredAt: string): EvidenceDraft<'github.org_members'> {
  return {
    kind: 'github.org_members',
    occurredAt,
    collectedAt: occurredAt,
    owner: { people: [], controlOwner: null },
    actors: [],
    source: {
      system: 'github',
      instance: 'github.com',
      ref: 'acme',
      url: 'https://github.com/orgs/acme/people',
    },
    controls: ORG_MEMBERS_CONTROLS,
    payload: {
      organization: 'acme',
      twoFactorRequired: true,
      members: [{ person: { login: 'alice', id: '1' }, role: 'admin' }],
      outsideCollaborators: [],
      membersWithoutTwoFactor: [],
      limitations: [],
    },
    provenance: scheduledProvenance({ id: 'github-acme', type: 'github' }, 'org_members', 'run-1'),
  };
}

/** The record `crosswalk locker check` stored up to this version (services/cli, before probes moved to probe/). */
function legacyProbeDraft(now: string): EvidenceDraft<'github.org_members'> {
  return {
    kind: 'github.org_members',
    occurredAt: now,
    collectedAt: now,
    owner: { people: [], controlOwner: null },
    actors: [],
    source: {
      system: 'crosswalk',
      instance: 'locker-check',
      ref: 'probe-0b5c8a2e-8f5e-4d43-9d1f-3a1f6f0c2b7d',
      url: null,
    },
    controls: ORG_MEMBERS_CONTROLS,
    payload: {
      organization: 'locker-check',
      twoFactorRequired: null,
      members: [],
      outsideCollaborators: [],
      membersWithoutTwoFactor: null,
      limitations: ['locker check probe: not an observation of any organization'],
    },
    provenance: {
      connector: { id: 'locker-check', type: 'crosswalk', version: '0.1.0' },
      collector: 'locker_check',
      runId: '6f1d0c1e-2b4a-4f7e-8c51-0d9e1b7a3c55',
      trigger: { type: 'manual', by: 'cli' },
      requests: [],
    },
  };
}

/** controlsFor('github.org_members') at mapping version 2026.11.1; the locker does not depend on the catalogue. */
const ORG_MEMBERS_CONTROLS = {
  'soc2-2017': ['CC6.1', 'CC6.2', 'CC6.3', 'CC6.6'],
  'iso27001-2022': ['A.5.3', 'A.5.15', 'A.5.17', 'A.5.18', 'A.8.2', 'A.8.4', 'A.8.5'],
  mappingVersion: 'crosswalk-2026.11.1+tsc2017-iso2022-consensus3',
};

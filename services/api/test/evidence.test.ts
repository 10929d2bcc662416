import { NOW } from '@crosswalk/connector-github/testing';
import { keys } from '@crosswalk/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_TRACE, seedFromGitHub, services, startTestApp, type TestApp } from './helpers.js';

interface Item {
  id: string;
  kind: string;
  occurredAt: string;
  key: string;
  sha256: string;
  source: { ref: string };
  provenance: { trigger: unknown };
}

describe.skipIf(!services)('Evidence', () => {
  let t: TestApp;
  let scoped: string;
  let scopedExpired: string;

  beforeAll(async () => {
    t = await startTestApp({ db: 15 });
    // Real records, collected twice (the second run stores nothing new).
    await seedFromGitHub(t.runtime.locker, 2);
    const scope = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-05T00:00:00.000Z', frameworks: ['soc2'] };
    scoped = (await t.runtime.keys.create({ name: 'auditor Q1', role: 'auditor', createdBy: 'test', scope }))
      .token;
    scopedExpired = (
      await t.runtime.keys.create({
        name: 'auditor lapsed',
        role: 'auditor',
        createdBy: 'test',
        scope,
        expiresAt: '2026-01-01T00:00:00.000Z',
      })
    ).token;
  });
  afterAll(() => t?.close());

  const get = (url: string, token = t.tokens.auditor) =>
    t.app.inject({ method: 'GET', url, headers: t.bearer(token) });

  async function all(query: string): Promise<Item[]> {
    const response = await get(`/v1/evidence?${query}`);
    expect(response.statusCode).toBe(200);
    return response.json().items;
  }

  describe('for a control', () => {
    it('returns every kind mapped to it, oldest first, each record with its key', async () => {
      const items = await all('framework=soc2-2017&control=CC8.1&from=2026-03-01&to=2026-04-01');
      expect(items.map((i) => i.kind)).toEqual([
        ...Array(5).fill('github.pull_request.approval'),
        ...Array(3).fill('github.branch_protection'),
      ]);
      const order = items.map((i) => `${i.occurredAt} ${i.id}`);
      expect(order).toEqual([...order].sort());
      for (const item of items) {
        expect(item.key).toBe(keys.evidenceKey(item));
        expect(item.sha256).toMatch(/^[0-9a-f]{64}$/);
      }
    });

    it('pages through the same population with an opaque cursor', async () => {
      const everything = await all('control=CC8.1&from=2026-03-01&to=2026-04-01');
      const pages: Item[][] = [];
      let cursor: string | null = null;
      do {
        const response = await get(
          `/v1/evidence?control=CC8.1&from=2026-03-01&to=2026-04-01&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        pages.push(response.json().items);
        cursor = response.json().nextCursor;
      } while (cursor);
      expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
      expect(pages.flat()).toEqual(everything);
    });

    it('infers the framework of a bare control id and says which it used', async () => {
      const response = await get('/v1/evidence?control=cc8.1&from=2026-03-01&to=2026-04-01');
      expect(response.json().query).toMatchObject({
        framework: 'soc2-2017',
        control: 'CC8.1',
        kinds: [
          'github.pull_request.approval',
          'github.branch_protection',
          'gitlab.merge_request.approval',
          'gitlab.branch_protection',
        ],
      });
    });

    it('takes from inclusive and to exclusive, in UTC', async () => {
      const at = '2026-03-02T10:00:00.000Z';
      const from = await all(`kind=github.pull_request.approval&from=${at}&to=2026-03-03`);
      expect(from.map((i) => i.occurredAt)).toEqual([at]);
      expect(await all(`kind=github.pull_request.approval&from=2026-03-01&to=${at}`)).toEqual([]);
    });
  });

  it('returns one kind alone', async () => {
    const items = await all('kind=github.member_removed&from=2026-03-01&to=2026-04-01');
    expect(items.map((i) => i.source.ref)).toEqual(['acme:member_removed:dave:2026-03-03T09:15:00.123Z']);
  });

  it('returns one record by id, verified', async () => {
    const [first] = await all('control=CC8.1&from=2026-03-01&to=2026-04-01&limit=1');
    const response = await get(`/v1/evidence/${first!.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(first);
    const missing = first!.id.replace(/~[0-9a-f]{32}$/, `~${'0'.repeat(32)}`);
    expect((await get(`/v1/evidence/${missing}`)).statusCode).toBe(404);
  });

  it("proves where a record sits in its run chain: the run's manifest lists its hash, the link claims the manifest", async () => {
    const [first] = await all('control=CC8.1&from=2026-03-01&to=2026-04-01&limit=1');
    const response = await get(`/v1/evidence/${first!.id}/chain`);
    expect(response.statusCode).toBe(200);
    const proof = response.json() as {
      verified: boolean;
      problems: string[];
      run: { runId: string; sequence: number; sha256: string };
      listed: { sha256: string };
      link: { sequence: number; sha256: string };
    };
    expect(proof.problems).toEqual([]);
    expect(proof.verified).toBe(true);
    expect(proof.run.runId).toBe((first as unknown as { provenance: { runId: string } }).provenance.runId);
    expect(proof.listed.sha256).toBe((first as unknown as { sha256: string }).sha256);
    expect(proof.link).toMatchObject({ sequence: proof.run.sequence, sha256: proof.run.sha256 });
    // The manifest the proof names is the one stored, and it does list the record with that hash.
    const manifest = await t.runtime.locker.runs.read((proof.run as unknown as { key: string }).key);
    expect(manifest.records.find((r) => r.id === first!.id)?.sha256).toBe(proof.listed.sha256);
    const missing = first!.id.replace(/~[0-9a-f]{32}$/, `~${'0'.repeat(32)}`);
    expect((await get(`/v1/evidence/${missing}/chain`)).statusCode).toBe(404);
  });

  it.each([
    ['an unknown framework', 'framework=pci&control=1.1', 'CW_FRAMEWORK_UNKNOWN', 'query.framework'],
    ['an unknown control', 'framework=soc2&control=CC99.9', 'CW_CONTROL_UNKNOWN', undefined],
    ['a time without a zone', 'control=CC8.1&from=2026-03-01T00:00:00', 'CW_INPUT_INVALID', 'query.from'],
    ['a date that does not exist', 'control=CC8.1&from=2026-02-30', 'CW_INPUT_INVALID', 'query.from'],
    [
      'a time that does not exist',
      'control=CC8.1&from=2026-02-30T00:00:00Z',
      'CW_INPUT_INVALID',
      'query.from',
    ],
    ['from after to', 'control=CC8.1&from=2026-04-01&to=2026-03-01', 'CW_INPUT_INVALID', 'query.to'],
    ['a forged cursor', 'control=CC8.1&cursor=bm90IGEgY3Vyc29y', 'CW_INPUT_INVALID', 'query.cursor'],
    ['a limit over 1000', 'control=CC8.1&limit=1001', 'CW_INPUT_INVALID', 'query.limit'],
    ['an unknown parameter', 'contrl=CC8.1', 'CW_INPUT_INVALID', 'query'],
    ['an unknown kind', 'kind=github.pr', 'CW_INPUT_INVALID', 'query.kind'],
  ])('answers 400 for %s', async (_name, query, code, path) => {
    const response = await get(`/v1/evidence?${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe(code);
    if (path)
      expect(
        response.json().error.issues?.map((i: { path: string }) => i.path) ?? [response.json().error.where],
      ).toContain(path);
  });

  describe('with an auditor key limited to 2026-03-01..2026-03-05 and SOC 2', () => {
    it('returns data inside its scope, and defaults omitted bounds to it', async () => {
      const inside = await get('/v1/evidence?control=CC8.1&from=2026-03-01&to=2026-03-05', scoped);
      expect(inside.statusCode).toBe(200);
      expect(inside.json().items.map((i: Item) => i.source.ref)).toEqual([
        'acme/api#1',
        'acme/api#2',
        'acme/api#3',
      ]);
      const defaulted = await get('/v1/evidence?control=CC8.1', scoped);
      expect(defaulted.json().items).toEqual(inside.json().items);
      expect(defaulted.json().query).toMatchObject({
        from: '2026-03-01T00:00:00.000Z',
        to: '2026-03-05T00:00:00.000Z',
      });
    });

    it.each([
      ['a window ending after its period', '/v1/evidence?control=CC8.1&from=2026-03-01&to=2026-03-06'],
      ['a window starting before its period', '/v1/evidence?control=CC8.1&from=2026-02-28&to=2026-03-05'],
      ['a window wholly outside', '/v1/evidence?control=CC8.1&from=2026-06-01&to=2026-07-01'],
      [
        'another framework',
        '/v1/evidence?framework=iso27001-2022&control=A.8.32&from=2026-03-01&to=2026-03-05',
      ],
      [
        'another framework, inferred from the control',
        '/v1/evidence?control=A.8.32&from=2026-03-01&to=2026-03-05',
      ],
      ["another framework's catalogue", '/v1/controls?framework=iso'],
    ])('answers 403 and no data for %s', async (_name, url) => {
      const response = await get(url, scoped);
      expect(response.statusCode).toBe(403);
      expect(Object.keys(response.json())).toEqual(['error']);
      expect(response.json().error.code).toBe('CW_FORBIDDEN');
    });

    it('answers 403 for a record outside its period, by id, and 200 inside', async () => {
      const items = await all('kind=github.pull_request.approval&from=2026-03-01&to=2026-04-01');
      const outside = items.find((i) => i.source.ref === 'acme/api#4')!;
      const inside = items.find((i) => i.source.ref === 'acme/api#1')!;
      expect((await get(`/v1/evidence/${outside.id}`, scoped)).statusCode).toBe(403);
      expect((await get(`/v1/evidence/${inside.id}`, scoped)).statusCode).toBe(200);
    });

    it('lists only its frameworks in the catalogue', async () => {
      const response = await get('/v1/controls', scoped);
      expect(response.json().frameworks.map((f: { id: string }) => f.id)).toEqual(['soc2-2017']);
      const cc81 = response.json().frameworks[0].controls.find((c: { id: string }) => c.id === 'CC8.1');
      expect(cc81.kinds).toEqual([
        'github.pull_request.approval',
        'github.branch_protection',
        'gitlab.merge_request.approval',
        'gitlab.branch_protection',
      ]);
    });

    it('answers 401 once the key has expired', async () => {
      const response = await get('/v1/evidence?control=CC8.1', scopedExpired);
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('CW_UNAUTHORIZED');
    });
  });

  describe("a connector's runs", () => {
    it('lists manifests with when, trigger, counts and failures, in pages', async () => {
      const url = '/v1/connectors/seed/runs?from=2026-03-01&to=2026-04-01';
      const response = await get(url, t.tokens.operator);
      expect(response.statusCode).toBe(200);
      const { runs } = response.json();
      expect(runs).toHaveLength(2);
      // Both runs started at the fixed clock's NOW: the listing orders them by run id, the chain by sequence.
      const [first, second] = [...runs].sort((a, b) => a.sequence - b.sequence);
      expect(first).toMatchObject({
        startedAt: NOW,
        status: 'succeeded',
        trigger: { type: 'manual', by: 'test' },
        recordsStored: 10,
      });
      expect(second.recordsStored).toBe(0);
      // GitHub's own count of the merged pull requests, where the source gives one.
      expect(first.collectors.map((c: { sourceTotal?: number }) => c.sourceTotal)).toEqual([
        5,
        undefined,
        undefined,
        undefined,
      ]);
      expect(first.collectors.map((c: { id: string; stored: number }) => [c.id, c.stored])).toEqual([
        ['pull_request_approvals', 5],
        ['branch_protection', 3],
        ['org_members', 1],
        ['member_removed', 1],
      ]);
      const page1 = await get(`${url}&limit=1`, t.tokens.operator);
      const page2 = await get(`${url}&limit=1&cursor=${page1.json().nextCursor}`, t.tokens.operator);
      expect([...page1.json().runs, ...page2.json().runs].map((r: { runId: string }) => r.runId)).toEqual(
        runs.map((r: { runId: string }) => r.runId),
      );
      expect(page2.json().nextCursor).toBeNull();
    });
  });

  it('refuses a record whose stored bytes were altered: 500 CW_LOCKER_CORRUPT, no data, no stack', async () => {
    const [item] = await all('kind=github.org_members&from=2026-03-01&to=2026-04-01');
    const bytes = Buffer.from((await t.runtime.locker.store.get(item!.key))!).toString('utf8');
    await t.runtime.locker.store.put(item!.key, Buffer.from(bytes.replace('"acme"', '"acm3"')));
    const response = await get(`/v1/evidence/${item!.id}`);
    expect(response.statusCode).toBe(500);
    expect(response.json().error.code).toBe('CW_LOCKER_CORRUPT');
    expect(response.body).not.toMatch(STACK_TRACE);
  });
});

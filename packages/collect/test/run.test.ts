import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CrosswalkError, defineConnector, type EmittedDraft, fixedClock, secret } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runConnector } from '../src/index.js';

function removal(login: string, occurredAt: string): EmittedDraft<'github.member_removed'> {
  return {
    kind: 'github.member_removed',
    occurredAt,
    owner: { people: [{ login: 'admin' }], controlOwner: null },
    actors: [{ role: 'removed', person: { login } }],
    source: {
      system: 'github',
      instance: 'acme',
      ref: `acme:member_removed:${login}:${occurredAt}`,
      url: null,
    },
    payload: { organization: 'acme', member: { login }, removedBy: { login: 'admin' }, via: 'audit_log' },
    requests: [{ method: 'GET', path: '/orgs/acme/audit-log', status: 200, requestId: 'R1' }],
  };
}

const seen: { window?: unknown; cursor?: unknown }[] = [];
const example = defineConnector({
  type: 'example',
  version: '1.2.3',
  title: 'Example',
  // The token is marked secret: the runner scrubs marked values from what it records.
  configSchema: z
    .object({ org: z.string(), token: secret(z.string()), failWith: z.string().optional() })
    .strict(),
  collectors: [
    {
      id: 'removals',
      kind: 'github.member_removed',
      description: 'two removals inside any window',
      async collect(ctx) {
        seen.push({ window: ctx.window, cursor: ctx.cursor });
        await ctx.emit(removal('carol', '2026-03-02T10:00:00.000Z'));
        await ctx.emit(removal('dave', '2026-03-03T11:00:00.000Z'));
        ctx.saveCursor({ last: '2026-03-03T11:00:00.000Z' });
      },
    },
    {
      id: 'broken',
      kind: 'github.org_members',
      description: 'fails, echoing the token the way a careless library might',
      async collect(ctx) {
        if (ctx.config.failWith) {
          throw new CrosswalkError(
            'CW_SOURCE_AUTH',
            `source rejected Authorization: token ${ctx.config.failWith}`,
          );
        }
      },
    },
  ],
});

async function setup() {
  const dir = await mkdtemp(path.join(tmpdir(), 'cw-collect-'));
  const locker = new Locker(new FsObjectStore(dir), { clock: fixedClock('2026-03-05T00:00:00.000Z') });
  return { locker };
}

const base = {
  connector: example,
  connectorId: 'example-acme',
  trigger: { type: 'manual', by: 'test' } as const,
  clock: fixedClock('2026-03-05T00:00:00.000Z'),
  window: { since: '2026-03-01T00:00:00.000Z', until: '2026-03-04T00:00:00.000Z' },
};

describe('running a connector once', () => {
  it('stamps every record with collectedAt, controls of both frameworks and provenance', async () => {
    const { locker } = await setup();
    const manifest = await runConnector({ ...base, locker, config: { org: 'acme', token: 'ghp_secret' } });
    expect(manifest.status).toBe('succeeded');
    expect(manifest.records).toHaveLength(2);
    const record = await locker.records.get(manifest.records[0]!.key);
    expect(record).toMatchObject({
      collectedAt: '2026-03-05T00:00:00.000Z',
      controls: {
        'soc2-2017': expect.arrayContaining(['CC6.2']),
        'iso27001-2022': expect.arrayContaining(['A.5.18']),
      },
      provenance: {
        connector: { id: 'example-acme', type: 'example', version: '1.2.3' },
        collector: 'removals',
        runId: manifest.runId,
        trigger: { type: 'manual', by: 'test' },
        requests: [{ method: 'GET', path: '/orgs/acme/audit-log', status: 200, requestId: 'R1' }],
      },
    });
    expect(JSON.stringify(record)).not.toContain('ghp_secret');
  });

  it('stores nothing new when the same window runs again', async () => {
    const { locker } = await setup();
    const first = await runConnector({ ...base, locker, config: { org: 'acme', token: 't0ken' } });
    const again = await runConnector({ ...base, locker, config: { org: 'acme', token: 't0ken' } });
    // Its manifest still vouches for what it met, with the hashes first stored, marked as already there.
    expect(again.records).toEqual(first.records.map((r) => ({ ...r, duplicate: true })));
    expect(again.collectors.find((c) => c.id === 'removals')).toMatchObject({ stored: 0, duplicates: 2 });
    expect(again.sequence).toBe(2);
    expect((await locker.runs.verifyChain('example-acme')).ok).toBe(true);
  });

  it('records a failing collector without stopping the others, and keeps secrets out of the manifest', async () => {
    const { locker } = await setup();
    const manifest = await runConnector({
      ...base,
      locker,
      config: { org: 'acme', token: 'sekrit-123', failWith: 'sekrit-123' },
    });
    expect(manifest.status).toBe('partial');
    expect(manifest.collectors.find((c) => c.id === 'removals')).toMatchObject({
      status: 'succeeded',
      stored: 2,
    });
    const broken = manifest.collectors.find((c) => c.id === 'broken')!;
    expect(broken.status).toBe('failed');
    expect(broken.error).toEqual({
      code: 'CW_SOURCE_AUTH',
      message: 'source rejected Authorization: token [redacted]',
    });
    expect(JSON.stringify(manifest)).not.toContain('sekrit-123');
  });

  it('continues from the last completed window when none is given, and hands back the saved cursor', async () => {
    const { locker } = await setup();
    seen.length = 0;
    await runConnector({ ...base, locker, config: { org: 'acme', token: 'tok1' } });
    await runConnector({ ...base, window: undefined, locker, config: { org: 'acme', token: 'tok1' } });
    expect(seen[1]).toEqual({
      window: { since: '2026-03-03T23:00:00.000Z', until: '2026-03-05T00:00:00.000Z' },
      cursor: { last: '2026-03-03T11:00:00.000Z' },
    });
  });

  it('leaves cursor and lastUntil alone after a filtered run: one item says nothing about the window', async () => {
    const { locker } = await setup();
    seen.length = 0;
    await runConnector({ ...base, locker, config: { org: 'acme', token: 'tok1' } });
    const before = await locker.state.get('example-acme');
    // A webhook's one-item collection, a day later and without a window.
    const filtered = await runConnector({
      ...base,
      window: undefined,
      clock: fixedClock('2026-03-06T00:00:00.000Z'),
      filter: { member: 'carol' },
      locker,
      config: { org: 'acme', token: 'tok1' },
    });
    expect(filtered.status).toBe('succeeded');
    expect(filtered.filter).toEqual({ member: 'carol' });
    expect((await locker.state.get('example-acme'))?.cursors).toEqual(before?.cursors);
    // The next scheduled run still starts from the last full window, not from the filtered run's end.
    await runConnector({
      ...base,
      window: undefined,
      clock: fixedClock('2026-03-07T00:00:00.000Z'),
      locker,
      config: { org: 'acme', token: 'tok1' },
    });
    expect(seen[2]).toEqual({
      window: { since: '2026-03-03T23:00:00.000Z', until: '2026-03-07T00:00:00.000Z' },
      cursor: { last: '2026-03-03T11:00:00.000Z' },
    });
  });

  it('gives each record its own trigger when asked, and a stateless run neither reads nor moves cursors', async () => {
    const replay = (locker: Locker) =>
      runConnector({
        ...base,
        window: { since: '2026-03-05T00:00:00.000Z', until: '2026-03-06T00:00:00.000Z' },
        collectors: ['removals'],
        trigger: { type: 'webhook', deliveryId: 'd-1', event: 'organization' },
        triggerOf: (draft) =>
          draft.actors[0]?.person.login === 'dave'
            ? { type: 'webhook', deliveryId: 'd-2', event: 'organization' }
            : undefined,
        stateless: true,
        locker,
        config: { org: 'acme', token: 'tok1' },
      });
    const fresh = (await setup()).locker;
    const manifest = await replay(fresh);
    expect(manifest.trigger).toEqual({ type: 'webhook', deliveryId: 'd-1', event: 'organization' });
    const triggers = await Promise.all(
      manifest.records.map(async (r) => (await fresh.records.get(r.key)).provenance.trigger),
    );
    expect(triggers.map((t) => (t.type === 'webhook' ? t.deliveryId : t.type)).sort()).toEqual([
      'd-1',
      'd-2',
    ]);
    expect(await fresh.state.get('example-acme')).toBeUndefined();

    const { locker } = await setup();
    seen.length = 0;
    await runConnector({ ...base, locker, config: { org: 'acme', token: 'tok1' } });
    const before = await locker.state.get('example-acme');
    await replay(locker);
    // Never handed the saved cursor, and the saved state is as the scheduled run left it.
    expect(seen[1]).toMatchObject({ cursor: undefined });
    expect(await locker.state.get('example-acme')).toEqual(before);
  });

  it('rejects an invalid config before any collector runs, naming the field', async () => {
    const { locker } = await setup();
    seen.length = 0;
    const error = await runConnector({ ...base, locker, config: { org: 'acme', tokn: 'x' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'CW_CONFIG_INVALID' });
    expect((error as CrosswalkError).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['connectors.example-acme.token']),
    );
    expect(seen).toEqual([]);
  });

  it('refuses a run of collectors that are all unconfigured instead of storing a manifest of nothing', async () => {
    // A Jira kind without a JQL on its schedule: the run names the collector, which has nothing to read.
    const optional = defineConnector({
      type: 'optional',
      version: '1.0.0',
      title: 'Optional kinds',
      configSchema: z.object({ jql: z.string().optional() }).strict(),
      collectors: [
        {
          id: 'tickets',
          kind: 'jira.access_review_ticket',
          description: 'nothing without a JQL',
          notConfigured: (config) => (config.jql ? undefined : 'no JQL configured for kinds.accessReview'),
          async collect() {},
        },
      ],
    });
    const { locker } = await setup();
    const run = { ...base, connector: optional, connectorId: 'optional-acme', locker, config: {} };
    const error = await runConnector({ ...run, collectors: ['tickets'] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CW_CONFIG_INVALID', where: 'connectors.optional-acme' });
    expect((error as Error).message).toBe(
      'connector optional-acme: tickets is not configured (no JQL configured for kinds.accessReview); nothing was run',
    );
    expect((await locker.runs.verifyChain('optional-acme')).head).toBeNull();
    // Unnamed, the same collector is skipped as before: the run of the connector's other work still counts.
    const manifest = await runConnector(run);
    expect(manifest.collectors).toEqual([]);
    // Configured, the named run goes ahead.
    const configured = await runConnector({
      ...run,
      config: { jql: 'project = SEC' },
      collectors: ['tickets'],
    });
    expect(configured.collectors.map((c) => [c.id, c.status])).toEqual([['tickets', 'succeeded']]);
  });

  it('names an unknown collector', async () => {
    const { locker } = await setup();
    await expect(
      runConnector({ ...base, locker, config: { org: 'acme', token: 'tok1' }, collectors: ['stars'] }),
    ).rejects.toThrow(/no collector "stars" \(it has removals, broken\)/);
  });

  it('rejects a window that ends before it starts', async () => {
    const { locker } = await setup();
    await expect(
      runConnector({
        ...base,
        locker,
        config: { org: 'acme', token: 'tok1' },
        window: { since: base.window.until, until: base.window.since },
      }),
    ).rejects.toMatchObject({ code: 'CW_INPUT_INVALID' });
  });
});

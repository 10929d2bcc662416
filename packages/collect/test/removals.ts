/**
 * A connector whose one collector emits the first `upTo` of five member removals in a fixed week, each at its own
 * day: the small, deterministic source the recovery tests run, die and retry against.
 */
import { defineConnector, type EmittedDraft, fixedClock } from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import { z } from 'zod';
import { runConnector } from '../src/index.js';

export function removal(login: string, occurredAt: string): EmittedDraft<'github.member_removed'> {
  return {
    kind: 'github.member_removed',
    occurredAt,
    owner: { people: [{ login: 'admin' }], controlOwner: null },
    actors: [{ role: 'removed', person: { login } }],
    source: { system: 'github', instance: 'acme', ref: `acme:member_removed:${login}`, url: null },
    payload: { organization: 'acme', member: { login }, removedBy: { login: 'admin' }, via: 'audit_log' },
    requests: [],
  };
}

export const LOGINS = ['ann', 'ben', 'cid', 'dot', 'eve'];
export const connector = defineConnector({
  type: 'example',
  version: '1.0.0',
  title: 'Example',
  configSchema: z.object({ upTo: z.number() }).strict(),
  collectors: [
    {
      id: 'removals',
      kind: 'github.member_removed',
      description: 'the first upTo removals',
      async collect(ctx) {
        for (const [i, login] of LOGINS.slice(0, ctx.config.upTo).entries())
          await ctx.emit(removal(login, `2026-03-0${i + 1}T10:00:00.000Z`));
      },
    },
  ],
});

export const clock = fixedClock('2026-03-10T00:00:00.000Z');
export const window = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };
export const range = { from: window.since, to: window.until };

/** A manual run of connector `ex` over the window that emits the first `upTo` removals. */
export const exampleRun = (locker: Locker, upTo: number, runId?: string) =>
  runConnector({
    connector,
    connectorId: 'ex',
    config: { upTo },
    locker,
    trigger: { type: 'manual', by: 'test' },
    window,
    clock,
    ...(runId ? { runId } : {}),
  });

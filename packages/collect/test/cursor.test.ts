import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConnector, fixedClock } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runConnector } from '../src/index.js';

const NOW = '2026-03-05T00:00:00.000Z';
const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-04T00:00:00.000Z' };
const cursorSchema = z.object({ lastSeenAt: z.string().min(1) });

/** A collector that saves what it is told to and remembers the cursor it was handed. */
function connectorSaving(next: () => unknown) {
  const handed: unknown[] = [];
  const connector = defineConnector({
    type: 'example',
    version: '1.0.0',
    title: 'Example',
    configSchema: z.object({}).strict(),
    collectors: [
      {
        id: 'events',
        kind: 'github.member_removed',
        description: 'keeps a cursor',
        cursorSchema,
        async collect(ctx) {
          handed.push(ctx.cursor);
          ctx.saveCursor(next() as z.infer<typeof cursorSchema>);
        },
      },
    ],
  });
  return { connector, handed };
}

async function run(connector: ReturnType<typeof connectorSaving>['connector'], locker: Locker) {
  return runConnector({
    connector,
    connectorId: 'example-acme',
    config: {},
    locker,
    trigger: { type: 'manual', by: 'test' },
    clock: fixedClock(NOW),
    window: WINDOW,
  });
}

const freshLocker = async () =>
  new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), 'cw-cursor-'))), { clock: fixedClock(NOW) });

describe("a collector's cursor schema", () => {
  it('hands the next run the cursor the last one saved, checked', async () => {
    const locker = await freshLocker();
    const { connector, handed } = connectorSaving(() => ({ lastSeenAt: '2026-03-03T00:00:00.000Z' }));
    await run(connector, locker);
    const second = await run(connector, locker);
    expect(second.status).toBe('succeeded');
    expect(handed).toEqual([undefined, { lastSeenAt: '2026-03-03T00:00:00.000Z' }]);
  });

  it('fails the collector, naming the field, when the stored cursor does not match, and keeps it', async () => {
    const locker = await freshLocker();
    const { connector, handed } = connectorSaving(() => ({ lastSeenAt: '2026-03-03T00:00:00.000Z' }));
    await locker.state.put({
      connectorId: 'example-acme',
      updatedAt: NOW,
      cursors: { events: { cursor: { lastSeen: 42 }, lastUntil: '2026-03-01T00:00:00.000Z' } },
    });
    const manifest = await run(connector, locker);
    expect(handed).toEqual([]);
    expect(manifest.collectors[0]).toMatchObject({ status: 'failed', error: { code: 'CW_LOCKER_CORRUPT' } });
    expect(manifest.collectors[0]!.error!.message).toContain('state/example-acme.json: events.cursor');
    expect((await locker.state.get('example-acme'))?.cursors.events).toMatchObject({
      cursor: { lastSeen: 42 },
    });
  });

  it('fails the collector when it saves a cursor its schema refuses, and keeps the previous one', async () => {
    const locker = await freshLocker();
    let next: unknown = { lastSeenAt: '2026-03-02T00:00:00.000Z' };
    const { connector } = connectorSaving(() => next);
    await run(connector, locker);
    next = { lastSeenAt: new Date('2026-03-03T00:00:00.000Z').getTime() };
    const manifest = await run(connector, locker);
    expect(manifest.collectors[0]).toMatchObject({ status: 'failed', error: { code: 'CW_INTERNAL' } });
    expect((await locker.state.get('example-acme'))?.cursors.events).toMatchObject({
      cursor: { lastSeenAt: '2026-03-02T00:00:00.000Z' },
    });
  });
});

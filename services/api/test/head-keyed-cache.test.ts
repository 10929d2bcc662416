import { runDraft } from '@crosswalk/locker/testing';
import { s3TestConfig } from '@crosswalk/testing';
import { describe, expect, it } from 'vitest';
import { HeadKeyedCache } from '../src/head-keyed-cache.js';
import { suiteLocker } from './suite-locker.js';

const s3 = await s3TestConfig();

/**
 * After the first probe the cache checks the set of connectors in one round of requests (the config listing and
 * the first chain key after each known chain). A connector whose chain sorts before, between or after the known
 * ones, or one only configured, must still make the next answer read again.
 */
describe.skipIf(!s3)('the chain-head keyed cache', () => {
  const suite = suiteLocker(s3);
  let runs = 0;

  const run = (connectorId: string) =>
    suite.locker.runs.append(
      runDraft({ runId: `run-${++runs}`, connectorId, startedAt: '2026-03-01T03:00:00.000Z' }),
    );

  it('reads again for a chain before, between or after the known ones, a configured connector and a new run', async () => {
    const cache = new HeadKeyedCache<string>(suite.locker, { refreshMs: 3_600_000, maxEntries: 4 });
    const reads: string[][] = [];
    const read = async (connectors: readonly string[]) => {
      reads.push([...connectors]);
      return connectors.join(',');
    };
    const ask = () => cache.get('all', read);

    await run('conn-m');
    expect(await ask()).toBe('conn-m');
    expect(await ask()).toBe('conn-m');
    expect(reads).toHaveLength(1);

    await run('conn-a');
    expect(await ask()).toBe('conn-a,conn-m');
    await run('conn-z');
    expect(await ask()).toBe('conn-a,conn-m,conn-z');
    await run('conn-n');
    expect(await ask()).toBe('conn-a,conn-m,conn-n,conn-z');
    await suite.locker.configs.put('conn-b', { type: 'github' });
    expect(await ask()).toBe('conn-a,conn-b,conn-m,conn-n,conn-z');
    expect(reads).toHaveLength(5);

    // Nothing new: the value answers as it is.
    expect(await ask()).toBe('conn-a,conn-b,conn-m,conn-n,conn-z');
    expect(reads).toHaveLength(5);
    // A second run of a known connector moves its head.
    await run('conn-n');
    await ask();
    expect(reads).toHaveLength(6);
    // A configured connector whose config is removed (and has no chain) leaves the set.
    await suite.locker.configs.delete('conn-b');
    expect(await ask()).toBe('conn-a,conn-m,conn-n,conn-z');
  });

  it('reads again in the background no sooner than paceFactor times its last reading took', async () => {
    let now = 0;
    const cache = new HeadKeyedCache<number>(suite.locker, {
      refreshMs: 10,
      maxEntries: 4,
      paceFactor: 10,
      clock: () => now,
    });
    let readings = 0;
    // Each reading "takes" 100 ms of the cache's clock.
    const read = async () => {
      now += 100;
      return ++readings;
    };
    expect(await cache.get('k', read)).toBe(1);
    now += 500; // 600 since the reading began: past refreshMs, short of 10 x 100
    await cache.get('k', read);
    await cache.idle();
    expect(readings).toBe(1);
    now += 500; // 1,100: due
    expect(await cache.get('k', read)).toBe(1); // the kept value answers while the new one is read
    await cache.idle();
    expect(readings).toBe(2);
    expect(await cache.get('k', read)).toBe(2);
  });
});

/**
 * The two key walks locker-list compares, and a child-process entry point that runs one of them alone so its
 * memory can be measured without the parent's heap (seeding, earlier runs) in the figure:
 *
 *   tsx bench/locker-list.child.ts --child --mode ours|raw --bucket B --kind K --from T1 --to T2 [--repeat N]
 *
 * prints one JSON line: keys walked, RSS before the walk, peak RSS sampled during it, and the process's maxRSS.
 * S3 settings come from the S3_* variables, as for the parent.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { EvidenceKind } from '@crosswalk/core';
import { keys, type Locker, type TimeRange } from '@crosswalk/locker';
import { s3TestConfig } from '@crosswalk/testing';
import { mb, RssSampler, round, s3Locker } from './harness.js';

export type WalkMode = 'ours' | 'raw';

/** Ours: the locker's index walk, `records.refs` (keys only, no GETs). Returns how many refs it yielded. */
export async function walkOurs(locker: Locker, kind: EvidenceKind, range: TimeRange): Promise<number> {
  let count = 0;
  for await (const _ref of locker.records.refs(kind, range)) count++;
  return count;
}

/**
 * Baseline: a plain ListObjectsV2 loop over the same prefix, from the same StartAfter, 1,000 keys a page with
 * ContinuationToken, stopping at the first key at or past `range.to` (the same keys refs yields).
 */
export async function walkRaw(
  client: S3Client,
  bucket: string,
  kind: EvidenceKind,
  range: TimeRange,
): Promise<number> {
  const prefix = keys.evidencePrefix(kind);
  const startAfter = keys.evidenceStartAfter(kind, range.from);
  const stopAt = keys.evidenceStartAfter(kind, range.to);
  let continuationToken: string | undefined;
  let count = 0;
  for (;;) {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        MaxKeys: 1000,
        ...(continuationToken ? { ContinuationToken: continuationToken } : { StartAfter: startAfter }),
      }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key! >= stopAt) return count;
      count++;
    }
    if (!page.IsTruncated) return count;
    continuationToken = page.NextContinuationToken;
  }
}

export interface ChildMeasurement {
  mode: WalkMode;
  /** Keys walked in all, over `repeat` walks of the window. */
  keys: number;
  repeat: number;
  durationMs: number;
  /** RSS after start-up and a one-key warm-up request, just before the walk. */
  rssBeforeMb: number;
  /** Highest RSS sampled (every 2 ms) during the walk. */
  peakRssMb: number;
  growthMb: number;
  /** process.resourceUsage().maxRSS: the whole process's peak, start-up (tsx, SDK loading) included. */
  maxRssMb: number;
  heapUsedAfterMb: number;
}

async function child(): Promise<void> {
  const option = (name: string): string => {
    const index = process.argv.indexOf(`--${name}`);
    const value = index >= 0 ? process.argv[index + 1] : undefined;
    if (!value) throw new Error(`--${name} is required`);
    return value;
  };
  const mode = option('mode') as WalkMode;
  const bucket = option('bucket');
  const range = { from: option('from'), to: option('to') };
  const kind = option('kind') as EvidenceKind;
  const repeatAt = process.argv.indexOf('--repeat');
  const repeat = repeatAt >= 0 ? Number(process.argv[repeatAt + 1]) : 1;
  const s3 = await s3TestConfig();
  if (!s3) throw new Error('S3_ENDPOINT is not set');
  const { locker, store } = s3Locker(s3, bucket);
  // Warm-up outside the measurement: the SDK's lazy modules, the XML parser, a socket.
  await store.s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
  const rssBefore = process.memoryUsage.rss();
  const sampler = new RssSampler(2);
  const started = performance.now();
  let count = 0;
  for (let pass = 0; pass < repeat; pass++) {
    count +=
      mode === 'ours' ? await walkOurs(locker, kind, range) : await walkRaw(store.s3, bucket, kind, range);
  }
  const durationMs = performance.now() - started;
  const peakRssMb = sampler.stop();
  const measurement: ChildMeasurement = {
    mode,
    keys: count,
    repeat,
    durationMs: round(durationMs, 1),
    rssBeforeMb: mb(rssBefore),
    peakRssMb,
    growthMb: round(peakRssMb - mb(rssBefore), 1),
    maxRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
    heapUsedAfterMb: mb(process.memoryUsage().heapUsed),
  };
  store.s3.destroy();
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

if (process.argv.includes('--child')) await child();

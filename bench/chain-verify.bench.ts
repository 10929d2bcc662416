/**
 * chain-verify: how fast the locker checks a connector's run chain for an export period. Exports run the check
 * for every connector, over the connector's whole history of chain links, so a long-lived connector (hourly
 * runs for a year: 8,760 links) must not cost minutes.
 *
 * Ours: `locker.runs.verifyChain(connector, week)` over a chain of RUNS hourly runs (links read 16 ahead).
 * Baseline: the same reads as a plain sequential SDK loop (ListObjectsV2 of the chain, GetObject of every link,
 * GetObject of each run manifest in the week), which is how the check read them before; same bucket, same keys.
 * Goal: none from an issue; we hold ours to at least 5 x the sequential loop.
 * Unit: chain links per second (RUNS / seconds).
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createTestBucket, deleteTestBucket } from '@crosswalk/testing';
import { type Benchmark, median, RssSampler, round, s3Locker } from './harness.js';

const RUNS = 1_000;
const CONNECTOR = 'bench-chain';
const FIRST_RUN = Date.parse('2026-01-01T00:00:00.000Z');
const WEEK = { from: '2026-01-15T00:00:00.000Z', to: '2026-01-22T00:00:00.000Z' };
const ROUNDS = 3;
const GOAL = 5;

async function body(client: S3Client, bucket: string, key: string): Promise<string> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return response.Body!.transformToString();
}

/** The sequential walk: every link, then the manifest of each run that started in the week, one GET at a time. */
async function sequentialWalk(client: S3Client, bucket: string): Promise<number> {
  let links = 0;
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: `chain/${CONNECTOR}/`,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) {
      if (!object.Key || object.Key.endsWith('/head.json')) continue;
      const link = JSON.parse(await body(client, bucket, object.Key)) as { key: string };
      links++;
      const startedAt = /\/(\d{4}-\d{2}-\d{2}T[^/]*Z)-[^/]+\.json$/.exec(link.key)?.[1];
      if (startedAt && startedAt >= WEEK.from && startedAt < WEEK.to)
        JSON.parse(await body(client, bucket, link.key));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return links;
}

const bench: Benchmark = {
  name: 'chain-verify',
  description:
    'runs.verifyChain over 1,000 hourly runs for one week vs a sequential GET walk of the same keys',
  async run({ s3, environment, log, keep }) {
    const bucket = await createTestBucket(s3);
    const { locker, store } = s3Locker(s3, bucket);
    log(`seeding ${RUNS} hourly runs`);
    for (let i = 0; i < RUNS; i++) {
      const at = new Date(FIRST_RUN + i * 3_600_000).toISOString();
      await locker.runs.append({
        runId: randomBytes(8).toString('hex'),
        connectorId: CONNECTOR,
        connectorType: 'github',
        connectorVersion: 'bench',
        trigger: { type: 'schedule', scheduler: `schedule|${CONNECTOR}|org_members` },
        window: null,
        filter: {},
        startedAt: at,
        finishedAt: at,
        status: 'succeeded',
        collectors: [],
        records: [],
      });
    }
    const ours: number[] = [];
    const baseline: number[] = [];
    const rss = new RssSampler();
    let checked = 0;
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      // Alternate which goes first, so neither always gets a warmer server.
      for (const which of round_ % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours']) {
        const started = performance.now();
        if (which === 'ours') {
          const report = await locker.runs.verifyChain(CONNECTOR, WEEK);
          if (!report.ok) throw new Error(`chain not ok: ${JSON.stringify(report.problems.slice(0, 3))}`);
          checked = report.checked;
          ours.push(RUNS / ((performance.now() - started) / 1000));
        } else {
          const links = await sequentialWalk(store.s3, bucket);
          if (links !== RUNS) throw new Error(`walked ${links} links, expected ${RUNS}`);
          baseline.push(RUNS / ((performance.now() - started) / 1000));
        }
        log(`${which}: ${round((which === 'ours' ? ours : baseline).at(-1)!, 1)} links/s`);
      }
    }
    const peakRssMb = rss.stop();
    if (!keep) await deleteTestBucket(s3, bucket);
    const oursMedian = median(ours);
    const baselineMedian = median(baseline);
    const ratio = round(oursMedian / baselineMedian, 3);
    return {
      name: 'chain-verify',
      unit: 'links/s',
      ours: round(oursMedian, 1),
      baseline: round(baselineMedian, 1),
      ratio,
      goal: GOAL,
      goalText: 'ours >= 5 x the sequential walk (our own bar: no issue sets one)',
      meets: ratio >= GOAL,
      peakRssMb,
      method:
        `${RUNS} hourly runs appended through locker.runs.append into a fresh Ceph RGW bucket; then ${ROUNDS} rounds, ` +
        'alternating order, of verifyChain(connector, one week) and of a sequential ListObjectsV2 + GetObject walk of ' +
        "every link and of the week's manifests (the same reads, one at a time). Medians of the rounds.",
      runsChecked: checked,
      roundsOurs: ours.map((v) => round(v, 1)),
      roundsBaseline: baseline.map((v) => round(v, 1)),
      environment,
    };
  },
};

export default bench;

/**
 * Where the client's time goes in a locker put, with the server taken out of the picture: the same three kinds
 * of put as locker-put (raw PutObject, the driver's createOnce alone, sealRecord + records.put) against a stub
 * S3 endpoint in a child process that answers every PUT with 200 at once. What is left is this process's CPU
 * per put: SDK, signing, HTTP, and the record work. Not a benchmark (run.ts does not run it), a profiling aid:
 *
 *   pnpm tsx bench/profile-put.ts                                  CPU per put of each kind
 *   node --cpu-prof --cpu-prof-dir=bench/.cache --import tsx bench/profile-put.ts ours   a V8 profile of ours only
 */
import { spawn } from 'node:child_process';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { sealRecord, serializeRecord } from '@crosswalk/core';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { keys } from '@crosswalk/locker';
import { round, runPool, s3Locker } from './harness.js';

const COUNT = 3_000;
const CONCURRENCY = 32;
const ROUNDS = 3;

const STUB = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { ETag: '"d41d8cd98f00b204e9800998ecf8427e"', 'Content-Length': '0' }); res.end(); });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const stub = spawn(process.execPath, ['-e', STUB], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) =>
  stub.stdout.once('data', (data: Buffer) => resolve(Number(data))),
);

try {
  const { locker, store } = s3Locker(
    {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      accessKeyId: 'stub',
      secretAccessKey: 'stub-secret',
      forcePathStyle: true,
    },
    'stub-bucket',
  );
  const client = store.s3;
  let batch = 0;
  const drafts = (count: number) => {
    const b = batch++;
    return Array.from({ length: count }, (_, i) =>
      pullRequestDraft({
        ref: `acme/api#${b * 1_000_000 + i + 1}`,
        occurredAt: new Date(
          Date.parse('2026-01-01T00:00:00.000Z') + (b * 1_000_000 + i) * 1000,
        ).toISOString(),
      }),
    );
  };
  const objects = (count: number) =>
    drafts(count).map((draft) => {
      const record = sealRecord(draft, new Date());
      return { key: keys.evidenceKey(record), body: Buffer.from(serializeRecord(record)) };
    });
  const kinds = {
    raw: async () => {
      const items = objects(COUNT);
      return runPool(COUNT, CONCURRENCY, (i) =>
        client.send(
          new PutObjectCommand({ Bucket: 'stub-bucket', Key: items[i]!.key, Body: items[i]!.body }),
        ),
      );
    },
    createOnce: async () => {
      const items = objects(COUNT);
      return runPool(COUNT, CONCURRENCY, (i) => store.createOnce(items[i]!.key, items[i]!.body));
    },
    ours: async () => {
      const items = drafts(COUNT);
      return runPool(COUNT, CONCURRENCY, (i) => locker.records.put(sealRecord(items[i]!, new Date())));
    },
  };
  const selected = (Object.keys(kinds) as (keyof typeof kinds)[]).filter(
    (kind) => only.length === 0 || only.includes(kind),
  );
  for (const kind of selected) await kinds[kind](); // warm-up
  const cpu = Object.fromEntries(selected.map((kind) => [kind, [] as number[]]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of selected) {
      const run = await kinds[kind]();
      cpu[kind]!.push(run.clientCpuMsPerOp);
    }
  }
  console.log(
    `client CPU per put against a stub server (${COUNT} puts x ${ROUNDS} rounds, concurrency ${CONCURRENCY})`,
  );
  for (const [kind, values] of Object.entries(cpu)) {
    console.log(
      `  ${kind.padEnd(10)} ${round(Math.min(...values) * 1000, 0)} us (runs: ${values.join(', ')} ms)`,
    );
  }
  client.destroy();
} finally {
  stub.kill();
}

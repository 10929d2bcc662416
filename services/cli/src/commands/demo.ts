import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CrosswalkError } from '@crosswalk/core';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { Output } from '../output.js';

/** Runs one crosswalk command line in this process (main.ts's `run`), with its own output. */
export type RunCommand = (argv: string[], output: Output) => Promise<number>;

const MARKER = '.crosswalk-demo';

/**
 * `crosswalk demo`: the main job end to end with no credentials and no services. Northwind's year is served by the
 * connectors' sandboxes on loopback; the real connectors collect it into a filesystem locker, the starter controls are
 * tested, a signed export is written and verified, and the API serves the locker, all in this process. Each step
 * is the same command a user would type (printed as it runs), so every figure can be reproduced by hand.
 */
export function registerDemo(program: Command, output: Output, runCommand: RunCommand): void {
  program
    .command('demo')
    .description(
      "Collect a sandbox organisation's year from loopback GitHub, Okta, Jira, Entra ID, Google Workspace and BambooHR, test the controls, export and verify",
    )
    .option(
      '--dir <dir>',
      'where the demo writes its locker, results and export (replaced on each run)',
      '.crosswalk/demo',
    )
    .option('--no-serve', 'stop after the verification instead of serving the API')
    .action(async (options: { dir: string; serve: boolean }) => {
      const { startSandboxes, timeline } = await import('@crosswalk/demo');
      const dir = path.resolve(options.dir);
      await freshDirectory(dir);
      const time = timeline();
      const day = (at: Date) => at.toISOString().slice(0, 10);
      const today = new Date(
        Date.UTC(time.now.getUTCFullYear(), time.now.getUTCMonth(), time.now.getUTCDate()),
      );
      const tomorrow = new Date(today.getTime() + 86_400_000);
      const locker = path.join(dir, 'locker');
      const step = (text: string) => output.err(`\n== ${text}`);

      step(`Northwind's year ${day(time.from)} .. ${day(time.to)} on loopback sandboxes`);
      const sandboxes = await startSandboxes(time);
      let window: { from: string; to: string } | undefined;
      try {
        for (const [vendor, url] of Object.entries(sandboxes.urls)) output.err(`${vendor.padEnd(8)} ${url}`);
        const config = path.join(dir, 'crosswalk.yaml');
        await writeFile(
          config,
          `# Written by \`crosswalk demo\`: the sandboxes it points at lived only while the demo ran.\n${stringify(
            {
              locker: { driver: 'fs', root: locker },
              connectors: sandboxes.connectors,
            },
          )}`,
        );

        const quiet = capture();
        const command = async (argv: string[], into: Output = output) => {
          output.err(`$ crosswalk ${argv.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
          const code = await runCommand(argv, into);
          if (code !== 0) {
            for (const line of quiet.lines) output.err(line);
            throw new CrosswalkError(
              'CW_INTERNAL',
              `the demo step \`crosswalk ${argv[0]}\` failed (exit ${code})`,
            );
          }
        };

        step('Collecting through the real connectors (progress below)');
        await command(
          [
            'collect',
            '--config',
            config,
            '--once',
            '--since',
            time.from.toISOString(),
            '--until',
            time.now.toISOString(),
          ],
          { out: () => {}, err: output.err },
        );
        const violations = sandboxes.violations();
        output.err(
          `every sandbox answer checked against the vendor's API description: ${violations.length === 0 ? 'all conform' : `${violations.length} did not`}`,
        );
        for (const violation of violations.slice(0, 5)) output.err(`  ${violation}`);

        step('Testing the starter controls (packages/assurance/src/register/starter.yaml)');
        const yearDir = path.join(dir, 'controls', 'year');
        const todayDir = path.join(dir, 'controls', 'today');
        const yearArgs = [
          '--locker-dir',
          locker,
          '--from',
          day(time.from),
          '--to',
          day(time.to),
          '--seed',
          'demo',
        ];
        const todayArgs = [
          '--locker-dir',
          locker,
          '--from',
          day(today),
          '--to',
          day(tomorrow),
          '--seed',
          'demo',
        ];
        const year = capture();
        await command(['controls', 'test', ...yearArgs, '--output-dir', yearDir, '--format', 'json'], year);
        const snapshots = capture();
        await command(
          ['controls', 'test', ...todayArgs, '--output-dir', todayDir, '--format', 'json'],
          snapshots,
        );
        const findings = summarise(
          JSON.parse(year.text()).controls as ControlResult[],
          JSON.parse(snapshots.text()).controls as ControlResult[],
          output,
        );

        step('Writing a signed SOC 2 export of the year and verifying it offline');
        const key = path.join(dir, 'signing-key.pem');
        await writeFile(
          key,
          generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
          {
            mode: 0o600,
          },
        );
        const zip = path.join(dir, 'soc2-export.zip');
        const exported = capture();
        await command(
          [
            'export',
            '--framework',
            'soc2',
            '--from',
            day(time.from),
            '--to',
            day(time.to),
            '--locker-dir',
            locker,
            '--signing-key',
            key,
            '-o',
            zip,
            '--format',
            'json',
          ],
          { ...exported, err: output.err },
        );
        const summary = JSON.parse(exported.text()) as {
          records: number;
          fingerprint: string;
          sha256: string;
        };
        const verified = capture();
        await command(['verify', zip, '--fingerprint', summary.fingerprint, '--format', 'json'], verified);
        const verdict = JSON.parse(verified.text()) as { ok: boolean };

        output.out('');
        output.out(`Crosswalk demo: Northwind, ${day(time.from)} .. ${day(time.to)} (to exclusive)`);
        output.out(`  locker        ${locker}   (${findings.records} records tested)`);
        output.out(`  control tests ${yearDir}/<control>/  and  ${todayDir}/<control>/`);
        output.out(
          `  export        ${zip}   (${summary.records} records, sha256 ${summary.sha256.slice(0, 16)}...)`,
        );
        output.out(
          `  verify        ${verdict.ok ? 'OK' : 'FAILED'}: hashes, signature (key ${summary.fingerprint.slice(0, 16)}...), files, run chains, completeness`,
        );
        output.out('');
        output.out('What an auditor finds:');
        for (const line of findings.lines) output.out(`  ${line}`);
        output.out('');
        output.out('Look again yourself:');
        output.out(
          `  pnpm -s crosswalk controls test --locker-dir ${rel(locker)} --from ${day(time.from)} --to ${day(time.to)} --control CHG-01`,
        );
        output.out(`  pnpm -s crosswalk verify ${rel(zip)} --fingerprint ${summary.fingerprint}`);
        output.out(
          `  CROSSWALK_LOCKER_DIR=${rel(locker)} pnpm -s crosswalk coverage --framework soc2 --from ${day(time.from)} --to ${day(time.to)}`,
        );
        if (!verdict.ok) throw new CrosswalkError('CW_BUNDLE_UNVERIFIED', 'the demo export did not verify');
        if (violations.length > 0)
          throw new CrosswalkError('CW_INTERNAL', 'a sandbox answered outside its vendor API description');
        window = { from: day(time.from), to: day(time.to) };
      } finally {
        await sandboxes.close();
      }
      if (options.serve) await serve(locker, window, output);
    });
}

/**
 * The API on loopback over the demo's locker, as an auditor would reach it. Without Redis it serves every read
 * (evidence, coverage, exports already built, /docs); what needs the queues (new exports, collections, webhooks)
 * answers 503 and /readyz says Redis is missing, which is the truth of a process without it.
 */
async function serve(locker: string, window: { from: string; to: string } | undefined, output: Output) {
  const { createRuntime, parseServiceEnv } = await import('@crosswalk/runtime');
  const { startServer } = await import('@crosswalk/api');
  const runtime = createRuntime(
    parseServiceEnv({
      CROSSWALK_LOCKER_DIR: locker,
      // Seals connector credentials at rest; the demo stores none, and the key lives only in this process.
      CROSSWALK_SECRET_KEY: randomBytes(32).toString('base64'),
      HOST: '127.0.0.1',
      PORT: '0',
      // No Redis: nothing listens on port 1, so the queues stay disconnected instead of finding someone's Redis.
      REDIS_URL: 'redis://127.0.0.1:1',
      LOG_LEVEL: 'fatal',
    }),
  );
  const { token } = await runtime.keys.create({
    name: 'demo auditor',
    role: 'auditor',
    createdBy: 'crosswalk demo',
    ...(window
      ? {
          scope: { from: `${window.from}T00:00:00.000Z`, to: `${window.to}T00:00:00.000Z`, frameworks: null },
        }
      : {}),
  });
  // Console logins in this process's memory: there is no Redis to keep them in.
  const server = await startServer(runtime, { sessions: 'memory' });
  const auth = `-H 'authorization: Bearer ${token}'`;
  output.out('');
  output.out(`API (auditor key for the year, this process only) on ${server.url}; Ctrl-C stops it:`);
  output.out(`  ${server.url}/docs`);
  output.out(`  curl -s ${auth} '${server.url}/v1/evidence?kind=github.pull_request.approval&limit=5'`);
  if (window)
    output.out(
      `  curl -s ${auth} '${server.url}/v1/coverage?framework=soc2&from=${window.from}&to=${window.to}'`,
    );
  // After the curl lines: whoever waits for the first of them (the README test) finds it where it always was.
  output.out(`  ${server.url}/console/  (the console: log in with the key of the curl lines above)`);
  const signal = await new Promise<string>((resolve) => {
    for (const name of ['SIGINT', 'SIGTERM'] as const) process.once(name, () => resolve(name));
  });
  output.err(`${signal}: stopping the API`);
  await server.close();
  await runtime.close();
}

interface ControlResult {
  control: { id: string; title: string; frequency: string };
  summary: {
    items: number;
    passed: number;
    failed: number;
    pending: number;
    periodsExpected: number | null;
    periodsOperated: number;
    gaps: number;
    exceptions: number;
  };
  exceptions: { item: string; ref?: string | null; occurredAt?: string; status: string; failed: string[] }[];
}

/**
 * One line per control, and the exceptions worth reading. Controls tested on daily snapshots are judged on today
 * alone: the sandboxes' state can be observed only now, so earlier days have no snapshot to test.
 */
function summarise(year: ControlResult[], today: ControlResult[], output: Output) {
  const lines: string[] = [];
  let records = 0;
  for (const result of year) {
    const daily = result.control.frequency === 'daily';
    const chosen = daily ? (today.find((r) => r.control.id === result.control.id) ?? result) : result;
    const s = chosen.summary;
    records += s.items;
    const periods = s.periodsExpected
      ? `, ${s.periodsOperated} of ${s.periodsExpected} periods operated`
      : '';
    output.err(
      `${chosen.control.id.padEnd(7)} ${daily ? 'today' : 'year '}  ${s.items} items: ${s.passed} passed, ${s.failed} failed${periods}  ${chosen.control.title}`,
    );
    for (const exception of chosen.exceptions ?? []) {
      // A pull request's ref reads well (northwind/api#123); a record id does not, its date does.
      const what =
        exception.ref && !exception.ref.includes('~')
          ? exception.ref
          : (exception.occurredAt?.slice(0, 10) ?? exception.item);
      lines.push(`${chosen.control.id} ${what}: ${exception.failed.join('; ')}`);
    }
  }
  return { lines: lines.length > 0 ? lines : ['no exceptions'], records };
}

function capture(): Output & { lines: string[]; text(): string } {
  const out: string[] = [];
  const lines: string[] = [];
  return {
    out: (s: string) => {
      out.push(s);
    },
    err: (s: string) => {
      lines.push(s);
    },
    lines,
    text: () => out.join('\n'),
  };
}

const rel = (file: string) => path.relative(process.cwd(), file) || '.';

/** Empties the demo's own directory; refuses one that holds anything the demo did not write. */
async function freshDirectory(dir: string): Promise<void> {
  const exists = await stat(dir).then(
    () => true,
    () => false,
  );
  if (exists) {
    const entries = await readdir(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new CrosswalkError(
        'CW_INPUT_INVALID',
        `${dir} is not empty and was not written by \`crosswalk demo\`; pick another --dir`,
        { where: '--dir' },
      );
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, MARKER), 'written by `crosswalk demo`; the next run replaces this folder\n');
}

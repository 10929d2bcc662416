import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  controlTestFiles,
  coverageSvg,
  flagConcerns,
  flagsCsv,
  listFlags,
  planControlTests,
  testControls,
} from '@crosswalk/assurance';
import { PR_CASES, prDraft, seedPullRequests } from '@crosswalk/assurance/testing';
import { FsObjectStore, keys, Locker } from '@crosswalk/locker';
import { runDraft } from '@crosswalk/locker/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SigningKey, verifyBundle } from '../src/index.js';
import { answerDraft, exportFebruary, FEB, FEB_NOW, testSigningKey } from './fixtures.js';
import { readZip } from './zip-tools.js';

/**
 * The export tests the controls from its own verified read of the window (a tee of the records as they stream
 * into the bundle), not from a second read of the locker. What it writes under control-tests/ must be exactly what
 * testControls gives over the locker for the same register, window, seed and time: every file of every control,
 * for a kind whose answers supersede one another, and with a record in the locker that no run vouches for (left
 * out of the bundle, but in the population the control tests see, as testControls over the locker sees it).
 */
/** The locker's own file store, counting the GETs of each key. */
class CountingStore extends FsObjectStore {
  readonly reads = new Map<string, number>();

  override get(key: string): Promise<Uint8Array | undefined> {
    this.reads.set(key, (this.reads.get(key) ?? 0) + 1);
    return super.get(key);
  }
}

const SEED = 'feed-seed';

describe('control tests fed from the export read', () => {
  let locker: Locker;
  let dir: string;
  let key: SigningKey;

  let store: CountingStore;
  /** The record the unvouched case stores: no run names it, so the bundle leaves it out. */
  let unvouched: string | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cw-export-feed-'));
    store = new CountingStore(path.join(dir, 'locker'));
    locker = new Locker(store);
    await seedPullRequests(locker);
    // A ticket answered three times inside February (two answers superseded) and one answered after it.
    const answers: string[] = [];
    for (const [i, status] of (['pending', 'not_found', 'late'] as const).entries()) {
      const draft = answerDraft({
        ticket: 'IT-1',
        occurredAt: '2026-02-10T09:00:00.000Z',
        collectedAt: `2026-02-1${i + 1}T09:00:00.000Z`,
        status,
        supersedes: answers.at(-1) ?? null,
      });
      answers.push((await locker.storeDraft(draft)).id);
    }
    const later = answerDraft({
      ticket: 'IT-2',
      occurredAt: '2026-03-05T09:00:00.000Z',
      collectedAt: '2026-03-06T09:00:00.000Z',
      status: 'on_time',
      supersedes: null,
    });
    await locker.storeDraft(later);
    const records = [];
    for await (const record of locker.records.list('crosswalk.deprovisioning_timeliness', {
      from: FEB.from,
      to: '2026-04-01T00:00:00.000Z',
    })) {
      records.push({
        id: record.id,
        kind: record.kind,
        sha256: record.sha256,
        key: keys.evidenceKey(record),
      });
    }
    await locker.runs.append(
      runDraft({
        runId: 'derived-1',
        connectorId: 'timeliness',
        connectorType: 'crosswalk',
        startedAt: '2026-03-07T00:00:00.000Z',
        finishedAt: '2026-03-07T00:01:00.000Z',
        records,
      }),
    );
    key = await testSigningKey();
  });

  /** Builds the bundle and checks its control-tests/ against testControls over the locker, file by file. */
  const exportAndCompare = async (name: string) => {
    const file = path.join(dir, name);
    const result = await exportFebruary(file, { locker, signingKey: key, controlSeed: SEED });
    const entries = await readZip(file);
    const plan = await planControlTests({ locker, window: FEB, frameworks: result.scope.frameworks });
    expect(plan.ids).toEqual(expect.arrayContaining(['CHG-01', 'IAM-01']));
    const direct = await testControls({
      locker,
      register: plan.register,
      registerSource: plan.source,
      controls: plan.ids,
      ...FEB,
      seed: SEED,
      now: FEB_NOW,
    });
    const expected = new Map<string, string>();
    const threads = await listFlags(locker);
    for (const r of direct) {
      for (const [name, text] of Object.entries(controlTestFiles(r))) {
        expected.set(`control-tests/${r.control.id}/${name}`, text);
      }
      // Not a test result, but in each control's folder: the auditors' flags about it.
      const mine = threads.filter((t) => t.control === r.control.id && flagConcerns(t, FEB));
      expected.set(`control-tests/${r.control.id}/flags.csv`, flagsCsv(mine));
    }
    expected.set('control-tests/coverage.svg', await coverageSvg(direct, FEB));
    const bundled = [...entries.keys()].filter((name) => name.startsWith('control-tests/'));
    expect(bundled.sort()).toEqual([...expected.keys()].sort());
    // The chart library numbers its class names by charts drawn in the process (zr1-cls-7): not content.
    const unnumbered = (text: string) => text.replace(/\bzr\d+-cls-\d+/g, 'zr-cls');
    for (const [name, text] of expected) {
      expect(unnumbered(entries.get(name)!.toString('utf8')), name).toBe(unnumbered(text));
    }
    const byControl = new Map(direct.map((r) => [r.control.id, r]));
    return { file, result, byControl };
  };

  it('reads each record of the window, and each run of its chains, from the locker once', async () => {
    store.reads.clear();
    const result = await exportFebruary(path.join(dir, 'once.zip'), {
      locker,
      signingKey: key,
      controlSeed: SEED,
    });
    const evidence = [...store.reads].filter(([key]) => key.startsWith('evidence/'));
    // The records of the period, and the timeliness answer after it (read for currency), each once.
    expect(evidence.length).toBe(result.records + 1);
    expect(evidence.filter(([, count]) => count > 1)).toEqual([]);
    // The runs too: the control tests' IPE packs take them from the export's own walk of the chains, so no chain
    // link or run manifest is read twice (the packs used to list each connector's manifests and walk it again).
    const runs = [...store.reads].filter(([key]) => key.startsWith('runs/') || key.startsWith('chain/'));
    expect(runs.filter(([key]) => key.startsWith('runs/')).length).toBeGreaterThan(0);
    expect(runs.filter(([, count]) => count > 1)).toEqual([]);
  });

  it('writes every control-test file exactly as testControls over the locker gives it, and verifies', async () => {
    const { file, result, byControl } = await exportAndCompare('bundle.zip');
    expect(result.manifest.counts.byKind['crosswalk.deprovisioning_timeliness']).toBe(3);
    // Superseded answers stay in the bundle, out of the control's population.
    expect(byControl.get('IAM-01')!.population.records).toBe(1);
    expect(byControl.get('IAM-01')!.ipe.population.supersededLeftOut).toBe(2);
    expect(byControl.get('CHG-01')!.population.records).toBe(PR_CASES.length);
    const verified = await verifyBundle(file, { fingerprint: key.fingerprint });
    expect(verified.failures).toEqual([]);
    expect(verified.ok).toBe(true);
  });

  it('tests a record no run vouches for as testControls over the locker does, though the bundle leaves it out', async () => {
    unvouched = (await locker.storeDraft(prDraft(PR_CASES[1]!, 900))).id;
    const { file, result, byControl } = await exportAndCompare('unvouched.zip');
    expect(result.manifest.completeness!.unvouched.records.map((r) => r.id)).toEqual([unvouched]);
    const chg = byControl.get('CHG-01')!;
    expect(chg.population.records).toBe(PR_CASES.length + 1);
    expect(chg.ipe.reconciliation.notNamedByRuns).toEqual([unvouched]);
    // verify names exactly that record, as for any export with a record left out.
    const verified = await verifyBundle(file, { fingerprint: key.fingerprint });
    expect(verified.failures.map((f) => f.check)).toEqual(['completeness']);
    expect(verified.failures[0]!.message).toContain(unvouched);
  });

  it('tests a record stored as text over several lines (not the one-line JSON it spools as read) the same way', async () => {
    // The tee spools each record's stored bytes as they are, one per line; text with line breaks cannot be.
    const refs = [];
    for await (const r of locker.records.refs('github.pull_request.approval', FEB)) refs.push(r);
    const ref = refs.find((r) => r.id !== unvouched);
    const file = path.join(dir, 'locker', ...ref!.key.split('/'));
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('\n');
    await writeFile(file, JSON.stringify(JSON.parse(text), null, 2));
    const { file: bundle, byControl } = await exportAndCompare('multiline.zip');
    expect(byControl.get('CHG-01')!.population.records).toBe(PR_CASES.length + 1);
    const entries = await readZip(bundle);
    const stored = [...entries].find(([name]) => name.endsWith(`${ref!.id}.json`));
    expect(stored?.[1].toString('utf8')).toContain('\n');
  });
});

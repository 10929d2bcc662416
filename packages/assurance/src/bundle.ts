import type { EvidenceKind } from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import { coverageSvg } from './coverage-svg.js';
import { csvLine } from './csv.js';
import {
  controlTestFiles,
  EXCEPTION_COLUMNS,
  exceptionCsvLines,
  POPULATION_COLUMNS,
  populationCsvLine,
} from './files.js';
import { flagConcerns, flagsCsv, listFlags } from './flags.js';
import type { RunSummaries } from './ipe.js';
import { controlMappings } from './mappings.js';
import type { RecordFeed } from './population.js';
import type { Register } from './register/schema.js';
import { type RegisterSource, registerFor } from './register/versions.js';
import { type ControlTestResult, testControls } from './test-control.js';

/**
 * The control tests of an export bundle: every register control (as the register stood at the window's end) that
 * maps to one of the bundle's frameworks, tested over the bundle's window with one seed (the caller passes the
 * export id unless the auditor gave one: it is written in every sample.csv and control.json). Returns the files
 * under `control-tests/`, including the coverage picture, and the HTML the bundle's README leads with.
 */
export interface BundledControlTests {
  /** Each file as text, or (population.csv, which grows with the period) as a spooled file the caller adds. */
  files: ({ path: string; text: string } | { path: string; spooled: { path: string; size: number } })[];
  readmeHtml: string;
  results: ControlTestResult[];
}

/** An append-only temporary file (the export's spool): population rows go there, not into memory. */
export interface BundleSpool {
  append(text: string): Promise<void>;
  close(): Promise<{ path: string; size: number }>;
}

/** Which register controls an export bundle tests, and the kinds their populations rest on. */
export interface ControlTestPlan {
  register: Register;
  source: RegisterSource;
  /** Register control ids mapped to one of the bundle's frameworks. */
  ids: string[];
  /** Every kind those controls rest on: what the export keeps of its own read for them (`feed`). */
  kinds: EvidenceKind[];
}

/**
 * Every register control (as the register stood at the window's end) that maps to one of the bundle's frameworks.
 * Known before the export reads the evidence, so it can keep what the tests need of that read.
 */
export async function planControlTests(options: {
  locker: Locker;
  window: { from: string; to: string };
  frameworks: readonly string[];
}): Promise<ControlTestPlan> {
  const { register, source } = await registerFor(options.locker, options.window.to);
  const wantsSoc2 = options.frameworks.includes('soc2-2017');
  const wantsIso = options.frameworks.some((f) => f.startsWith('iso27001'));
  const controls = register.controls.filter((control) => {
    const mappings = controlMappings(control);
    return (
      (wantsSoc2 && mappings['soc2-2017'].effective.length > 0) ||
      (wantsIso && mappings['iso27001-2022'].effective.length > 0)
    );
  });
  const kinds = new Set(controls.flatMap((control) => control.evidence.map((e) => e.kind)));
  return { register, source, ids: controls.map((control) => control.id), kinds: [...kinds] };
}

export async function bundleControlTests(options: {
  locker: Locker;
  window: { from: string; to: string };
  frameworks: readonly string[];
  seed: string;
  now: Date;
  /** Creates a spool by name; without it population.csv is built in memory. */
  spool?: (name: string) => Promise<BundleSpool>;
  /** From planControlTests, when the caller planned ahead; else planned here. */
  plan?: ControlTestPlan;
  /** The records the caller already read (testControls' `feed`); other kinds are read from the locker. */
  feed?: RecordFeed;
  /** The connectors' runs as the caller read them (testControls' `runs`); others are read from the locker. */
  runs?: (connector: string) => RunSummaries | undefined;
}): Promise<BundledControlTests> {
  const { register, source, ids } = options.plan ?? (await planControlTests(options));
  // population.csv and exceptions.csv grow with the period (a period where most items fail has an exception per
  // item): both go to spools when the caller gives them.
  const spools = new Map<string, BundleSpool>();
  const exceptionSpools = new Map<string, BundleSpool>();
  if (options.spool) {
    for (const id of ids) {
      const spool = await options.spool(`control-population-${id}.csv`);
      await spool.append(csvLine(POPULATION_COLUMNS));
      spools.set(id, spool);
      const exceptions = await options.spool(`control-exceptions-${id}.csv`);
      await exceptions.append(csvLine(EXCEPTION_COLUMNS));
      exceptionSpools.set(id, exceptions);
    }
  }
  const results = await testControls({
    locker: options.locker,
    register,
    registerSource: source,
    controls: ids,
    ...options.window,
    seed: options.seed,
    now: options.now,
    ...(options.feed ? { feed: options.feed } : {}),
    ...(options.runs ? { runs: options.runs } : {}),
    sinks: (control) => {
      const spool = spools.get(control.id);
      return spool && { add: (row) => spool.append(populationCsvLine(row)) };
    },
    exceptionSinks: (control) => {
      const spool = exceptionSpools.get(control.id);
      return spool && { add: (row) => spool.append(exceptionCsvLines(row)) };
    },
  });
  // The auditors' flags and their answers as they stand now: every thread of a bundled control that concerns
  // the period (or names no window), so a question asked during one audit reaches the auditor in the next bundle.
  const threads = await listFlags(options.locker);
  const files: BundledControlTests['files'] = [];
  for (const result of results) {
    const dir = `control-tests/${result.control.id}`;
    const spool = spools.get(result.control.id);
    if (spool) files.push({ path: `${dir}/population.csv`, spooled: await spool.close() });
    const exceptions = exceptionSpools.get(result.control.id);
    // In the order controlTestFiles gives: population, exceptions, then the small files.
    if (exceptions) files.push({ path: `${dir}/exceptions.csv`, spooled: await exceptions.close() });
    for (const [name, text] of Object.entries(controlTestFiles(result))) {
      files.push({ path: `${dir}/${name}`, text });
    }
    const mine = threads.filter((t) => t.control === result.control.id && flagConcerns(t, options.window));
    files.push({ path: `${dir}/flags.csv`, text: flagsCsv(mine) });
  }
  const svg = await coverageSvg(results, options.window);
  files.push({ path: 'control-tests/coverage.svg', text: svg });
  return { files, readmeHtml: readmeSection(results, svg, source.sha256), results };
}

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readmeSection(results: readonly ControlTestResult[], svg: string, registerSha: string): string {
  const rows = results
    .map((r) => {
      const s = r.summary;
      const dir = `control-tests/${html(r.control.id)}`;
      const periods =
        s.periodsExpected === null ? '&mdash; (per event)' : `${s.periodsOperated} of ${s.periodsExpected}`;
      return (
        `<tr><td><b>${html(r.control.id)}</b><br>${html(r.control.title)}</td><td>${html(r.control.owner)}</td>` +
        `<td>${html(r.control.frequency)}</td><td>${periods}</td><td>${s.items} (${s.passed} passed)</td>` +
        `<td>${s.exceptionsOpen} open / ${s.exceptionsRemediated} remediated</td><td>${r.sample.size}</td>` +
        `<td><a href="${dir}/population.csv">population</a>, <a href="${dir}/exceptions.csv">exceptions</a>, ` +
        `<a href="${dir}/sample.csv">sample</a>, <a href="${dir}/operation.csv">operation</a>, ` +
        `<a href="${dir}/ipe.json">IPE</a>, <a href="${dir}/control.json">control</a>, ` +
        `<a href="${dir}/flags.csv">flags</a></td></tr>`
      );
    })
    .join('\n');
  const seed = results[0]?.sample.seed;
  return `<h2>Controls</h2>
<p>The organisation's controls from its register (sha256 <code>${html(registerSha)}</code>), each tested over the period from the records in this bundle: population (current answers), operation per period, exceptions with remediations, the auditors' flags with their answers (<code>flags.csv</code>), a sample${seed ? ` drawn with seed <code>${html(seed)}</code>` : ''} and the IPE pack. The method and how to redraw the sample are in each <code>sample.csv</code> and in docs/controls.md.</p>
<table>
<tr><th>Control</th><th>Owner</th><th>Frequency</th><th>Periods operated</th><th>Items</th><th>Exceptions</th><th>Sample</th><th>Files</th></tr>
${rows || '<tr><td colspan="8">no register control maps to the frameworks of this bundle</td></tr>'}
</table>
<p>Coverage at a glance (<a href="control-tests/coverage.svg">control-tests/coverage.svg</a>): days across, controls down.</p>
${svg}
`;
}

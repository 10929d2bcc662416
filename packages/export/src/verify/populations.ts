/**
 * Verification steps over the populations: each population file lists exactly the bundled records of its kind
 * with their hashes and currency, and each criterion's index names the shared files its manifest entry says.
 */
import { StringDecoder } from 'node:string_decoder';
import { criterionIndex, POPULATION_COLUMNS } from '../build.js';
import { CsvParser, csvLine } from '../csv.js';
import { COPIED_POPULATION_FORMATS, type ExportManifest, FILE_NAMES } from '../manifest.js';
import { eachEntry } from '../zip/reader.js';
import { CurrentAnswers } from './current.js';
import { type Failures, readAll } from './failures.js';

export async function checkPopulations(
  zipPath: string,
  manifest: ExportManifest,
  records: Map<string, { sha256: string; file: string }>,
  names: Map<string, number>,
  failures: Failures,
): Promise<void> {
  const header = csvLine(POPULATION_COLUMNS).trimEnd();
  const controlFiles = populationFiles(manifest, failures);
  for (const file of controlFiles.keys()) {
    if (!names.has(file))
      failures.add({
        file,
        check: 'missing',
        message: `${file} is named in manifest.json but not in the zip`,
      });
  }
  if (!COPIED_POPULATION_FORMATS.includes(manifest.format))
    await checkCriterionIndexes(zipPath, manifest, names, failures);
  if (!names.has(FILE_NAMES.populations)) {
    failures.add({ file: FILE_NAMES.populations, check: 'missing', message: 'populations.csv is missing' });
  }
  const rows = new Map<string, string>(); // id -> the whole row as written
  const controlRows: { file: string; ids: string[]; lines: string[] }[] = [];
  const current = new CurrentAnswers((failure) => failures.add(failure));
  const seenControl = new Set<string>();
  await eachEntry(zipPath, async (_entry, name, open) => {
    const isPopulation = name === FILE_NAMES.populations;
    const control = controlFiles.get(name);
    if ((!isPopulation && !control) || (control && seenControl.has(name))) return;
    if (control) seenControl.add(name);
    const collected: { ids: string[]; lines: string[] } = { ids: [], lines: [] };
    let first = true;
    let count = 0;
    const stream = await open();
    const parser = new CsvParser();
    const decoder = new StringDecoder('utf8');
    const onRow = (row: string[]) => {
      const line = csvLine(row).trimEnd();
      if (first) {
        first = false;
        if (line !== header)
          failures.add({
            file: name,
            check: 'population',
            message: `${name} does not start with the expected header`,
          });
        return;
      }
      count++;
      const id = row[0] ?? '';
      if (isPopulation) {
        current.add(row);
        if (rows.has(id))
          failures.add({ file: name, check: 'population', message: `${id} appears twice in ${name}` });
        rows.set(id, line);
        const sha = records.get(id)?.sha256;
        if (sha === undefined) {
          failures.add({
            file: name,
            check: 'population',
            message: `${name} lists ${id}, which the bundle does not hold`,
          });
        } else if (row[11] !== sha || row[12] === undefined || !names.has(row[12])) {
          failures.add({
            file: name,
            check: 'population',
            message: `${name}: the row of ${id} does not match its evidence file`,
          });
        }
      } else {
        collected.ids.push(id);
        collected.lines.push(line);
      }
    };
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>)
        for (const row of parser.push(decoder.write(chunk))) onRow(row);
      for (const row of parser.push(decoder.end())) onRow(row);
      for (const row of parser.end()) onRow(row);
    } catch (error) {
      failures.add({
        file: name,
        check: 'zip',
        message: `${name} cannot be read: ${(error as Error).message}`,
      });
      return;
    }
    if (isPopulation && count !== records.size) {
      failures.add({
        file: name,
        check: 'population',
        message: `${name} has ${count} rows for ${records.size} evidence files`,
      });
    }
    if (control) {
      if (count !== control.records) {
        failures.add({
          file: name,
          check: 'population',
          message: `${name} has ${count} rows, manifest.json says ${control.records}`,
        });
      }
      controlRows.push({ file: name, ...collected });
    }
  });
  for (const { file, ids, lines } of controlRows) {
    for (const [i, id] of ids.entries()) {
      if (rows.get(id) !== lines[i]) {
        failures.add({
          file,
          check: 'population',
          message: `${file}: the row of ${id} is not the one in populations.csv`,
        });
      }
    }
  }
  current.check(controlRows.map((c) => ({ ...c, kinds: controlFiles.get(c.file)?.kinds ?? [] })));
}

/**
 * The files that hold population rows besides populations.csv, with the kinds whose current rows each must be
 * exactly and the count manifest.json gives: one copy per criterion in /1 and /2, one shared file per kind in /3
 * (whose criteria must then name exactly the shared files of their kinds, and count their rows).
 */
function populationFiles(
  manifest: ExportManifest,
  failures: Failures,
): Map<string, { kinds: readonly string[]; records: number }> {
  if (COPIED_POPULATION_FORMATS.includes(manifest.format)) {
    return new Map(
      manifest.scope.controls
        .filter((c) => c.population)
        .map((c) => [c.population!, { kinds: c.kinds, records: c.records }]),
    );
  }
  const shared = manifest.scope.populations;
  if (!shared || manifest.scope.controls.some((c) => !c.populations || c.index === undefined)) {
    failures.add({
      file: FILE_NAMES.manifest,
      check: 'manifest',
      message: `manifest.json (${manifest.format}) does not name the shared populations its criteria rest on`,
    });
    return new Map();
  }
  const byKind = new Map(shared.map((p) => [p.kind, p]));
  const files = new Map(shared.map((p) => [p.file, { kinds: [p.kind], records: p.records }]));
  if (byKind.size !== shared.length || files.size !== shared.length)
    failures.add({
      file: FILE_NAMES.manifest,
      check: 'manifest',
      message: 'manifest.json names a kind or a shared population file twice',
    });
  for (const control of manifest.scope.controls) {
    const name = `${control.framework}:${control.id}`;
    const expected = control.kinds.map(
      (kind) => byKind.get(kind)?.file ?? `(no shared population of ${kind})`,
    );
    const records = control.kinds.reduce((sum, kind) => sum + (byKind.get(kind)?.records ?? 0), 0);
    if (expected.join('\n') !== control.populations!.join('\n') || records !== control.records)
      failures.add({
        file: FILE_NAMES.manifest,
        check: 'population',
        message: `${name} rests on ${control.kinds.join(', ') || 'no kind'}, but manifest.json names ${control.populations!.join(', ') || 'no population'} with ${control.records} rows`,
      });
  }
  return files;
}

/** /3: each criterion's index is exactly what its manifest entry says (the shared files, their row counts). */
export async function checkCriterionIndexes(
  zipPath: string,
  manifest: ExportManifest,
  names: Map<string, number>,
  failures: Failures,
): Promise<void> {
  const records = new Map((manifest.scope.populations ?? []).map((p) => [p.file, p.records]));
  const expected = new Map<string, Buffer>();
  for (const control of manifest.scope.controls) {
    if (!control.index) continue;
    const kinds = control.kinds.map((kind, i) => {
      const file = control.populations?.[i] ?? '';
      return { kind, file, records: records.get(file) ?? 0 };
    });
    expected.set(control.index, criterionIndex(kinds));
    if (!names.has(control.index))
      failures.add({
        file: control.index,
        check: 'missing',
        message: `${control.index} is named in manifest.json but not in the zip`,
      });
  }
  await eachEntry(zipPath, async (_entry, name, open) => {
    const want = expected.get(name);
    if (!want) return;
    expected.delete(name);
    const have = await readAll(await open(), name, failures);
    if (have && !have.equals(want))
      failures.add({
        file: name,
        check: 'population',
        message: `${name} does not name the shared populations manifest.json gives the criterion`,
      });
  });
}

/**
 * Turns the reference CSVs into the JSON under data/, the package's committed copy of the catalogs.
 * The package never reads the reference at runtime; rerun this only when the reference changes, then
 * `npx biome format --write packages/controls/data` and bump MAPPING_VERSION if a mapping moved.
 *
 * Usage: npx tsx packages/controls/scripts/generate-data.ts [referenceDir]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** RFC 4180 enough for the reference files: quoted fields, doubled quotes, no embedded newlines. */
export function parseCsv(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  const rows = lines.map(parseCsvLine);
  const header = rows.shift() ?? [];
  return rows.map((cells, n) => {
    if (cells.length !== header.length) {
      throw new Error(`row ${n + 2} has ${cells.length} cells, header has ${header.length}`);
    }
    return Object.fromEntries(header.map((name, i) => [name, cells[i] ?? '']));
  });
}

function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else {
      cell += ch;
    }
  }
  cells.push(cell);
  return cells;
}

const list = (cell: string | undefined): string[] => (cell ?? '').split(';').filter((s) => s.length > 0);
const orNull = (cell: string | undefined): string | null => (cell === undefined || cell === '' ? null : cell);

/** The reference names each pivot mapping after the repository file it came from; the package uses short ids. */
export const sourceIds: Record<string, string> = {
  'intuitem-adobe-ccf-v5-pivot': 'adobe-ccf-v5',
  'scf-2025.2.2-pivot': 'scf-2025.2.2',
  'cisco-ccf-v3.0-pivot': 'cisco-ccf-v3.0',
};

function sourceId(reference: string): string {
  const id = sourceIds[reference];
  if (id === undefined) throw new Error(`unknown crosswalk source ${reference}`);
  return id;
}

/** Every data file, keyed by its name under data/. */
export function buildData(referenceDir: string): Record<string, unknown> {
  const read = (name: string) => parseCsv(readFileSync(join(referenceDir, name), 'utf8'));

  // soc2_related_consensus is left out of both ISO files: it is exactly the crosswalk's medium and high
  // pairs for that control (a trailing * marks high), so the package derives it instead of storing it twice.
  const annexA = read('iso27001-2022-annexA.csv').map((r) => ({
    id: r['id'],
    title: r['title'],
    theme: r['theme'],
    newIn2022: r['new_in_2022'] === 'yes',
    predecessors2013: list(r['iso27001_2013_ids']),
  }));
  const clauses = read('iso27001-2022-clauses.csv').map((r) => ({
    id: r['id'],
    title: r['title'],
    level: Number(r['level']),
    parent: orNull(r['parent']),
    soc2Equivalence: orNull(r['soc2_equivalence']),
    note: orNull(r['note']),
  }));
  const iso2013 = read('iso27001-2013-annexA.csv').map((r) => ({
    id: r['id'],
    title: r['title'],
    domain: r['domain'],
    successors2022: list(r['maps_to_2022']),
  }));
  const soc2 = read('soc2-tsc-2017.csv').map((r) => ({
    id: r['id'],
    title: r['title'],
    category: r['category'],
    series: r['series'],
    cosoPrinciple: orNull(r['coso_principle']),
  }));
  const crosswalk = read('crosswalk-soc2-iso2022.csv').map((r) => ({
    soc2: r['soc2_id'],
    iso: r['iso_id'],
    confidence: r['confidence'],
    supportCount: Number(r['support_count']),
    sources: list(r['source']).map(sourceId),
  }));
  const categories = read('evidence-kinds.csv').map((r) => ({
    id: r['kind'],
    soc2: list(r['soc2_ids']),
    iso2022: list(r['iso2022_ids']),
    rationale: r['rationale'],
    corroboratingPairs: list(r['crosswalk_corroborated_pairs']).map((pair) => {
      const m = /^([^~]+)~([^(]+)\((\d+)\)$/.exec(pair);
      if (m === null) throw new Error(`malformed corroborating pair ${pair}`);
      return { soc2: m[1], iso: m[2], supportCount: Number(m[3]) };
    }),
  }));

  return {
    'iso27001-2022-annex-a.json': annexA,
    'iso27001-2022-clauses.json': clauses,
    'iso27001-2013-annex-a.json': iso2013,
    'soc2-tsc-2017.json': soc2,
    'crosswalk-soc2-iso27001-2022.json': crosswalk,
    'evidence-categories.json': categories,
  };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = dirname(fileURLToPath(import.meta.url));
  const referenceDir = resolve(process.argv[2] ?? join(here, '../reference'));
  const dataDir = join(here, '../data');
  for (const [name, rows] of Object.entries(buildData(referenceDir))) {
    writeFileSync(join(dataDir, name), `${JSON.stringify(rows, null, 2)}\n`);
    console.log(`wrote data/${name} (${(rows as unknown[]).length} rows)`);
  }
}

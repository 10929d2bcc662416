import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildData } from '../scripts/generate-data.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The committed reference the catalogs are generated from: always here, so the check never skips. */
const referenceDir = join(packageDir, 'reference');
/** Where a checkout of the project's shared reference sits beside the repository, if anywhere. */
const upstreamDir = [
  process.env['CROSSWALK_REFERENCE_DIR'],
  resolve(packageDir, '../../../shared/reference/controls'),
].find((dir) => dir !== undefined && existsSync(join(dir, 'README.md')));

describe('the committed data', () => {
  it.each(Object.entries(buildData(referenceDir)))('matches the reference for %s', (name, expected) => {
    const committed: unknown = JSON.parse(readFileSync(join(packageDir, 'data', name), 'utf8'));
    expect(committed).toEqual(expected);
  });
});

// The committed reference is a copy of the project's shared original, and SHA256SUMS records the original's digests
// as copied. The copy is checked against those digests everywhere (a clean clone and CI included), so a hand edit of
// a CSV that does not also rewrite SHA256SUMS fails here, never skips. Where the original is at hand (a developer
// machine) it is compared too: when it moved on, copy it again and record its digests (`sha256sum *.csv`).
describe('the committed reference', () => {
  const recorded = new Map(
    readFileSync(join(referenceDir, 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [digest, name] = line.split(/\s+\*?/);
        return [name as string, digest as string];
      }),
  );
  const csvs = readdirSync(referenceDir).filter((name) => name.endsWith('.csv'));
  const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

  it('records a digest for every CSV and for nothing else', () => {
    expect([...recorded.keys()].sort()).toEqual([...csvs].sort());
  });

  it.each(csvs)('%s is the copy SHA256SUMS records', (name) => {
    expect(sha256(join(referenceDir, name))).toBe(recorded.get(name));
  });

  it.skipIf(upstreamDir === undefined)(
    `the shared original has not moved from SHA256SUMS (${upstreamDir ?? 'no ../shared/reference/controls here; the digests above stand in for it'})`,
    () => {
      for (const name of csvs)
        expect(sha256(join(upstreamDir as string, name)), name).toBe(recorded.get(name));
    },
  );
});

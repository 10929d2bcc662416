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

// The committed reference is a copy: where the shared original is at hand (a developer machine), it must not
// have drifted from it. A clean clone has no original to compare with; the check above still runs there.
describe.skipIf(upstreamDir === undefined)('the committed reference', () => {
  it.each(readdirSync(referenceDir).filter((name) => name.endsWith('.csv')))('is the shared %s', (name) => {
    expect(readFileSync(join(referenceDir, name), 'utf8')).toBe(
      readFileSync(join(upstreamDir as string, name), 'utf8'),
    );
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildData } from '../scripts/generate-data.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const candidates = [
  process.env['CROSSWALK_REFERENCE_DIR'],
  resolve(packageDir, '../../../shared/reference/controls'),
  resolve(packageDir, '../../shared/reference/controls'),
].filter((dir): dir is string => dir !== undefined);
const referenceDir = candidates.find((dir) => existsSync(join(dir, 'README.md')));

// The package carries its own copy of the catalogs; where the reference is at hand (a developer machine,
// CI), check the copy has not drifted from it. Elsewhere there is nothing to compare with.
describe.skipIf(referenceDir === undefined)('the committed data', () => {
  it.each(Object.entries(referenceDir === undefined ? {} : buildData(referenceDir)))(
    'matches the reference for %s',
    (name, expected) => {
      const committed: unknown = JSON.parse(readFileSync(join(packageDir, 'data', name), 'utf8'));
      expect(committed).toEqual(expected);
    },
  );
});

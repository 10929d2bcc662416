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
// CI), check the copy has not drifted from it. Elsewhere there is nothing to compare with, which must be said:
// under CI the reference is required, so a run that lost it fails instead of skipping the check unseen.
describe('the reference catalogs', () => {
  it.runIf(referenceDir === undefined && process.env['CI'] === 'true')('are found under CI', () => {
    throw new Error(
      `the controls reference (README.md) was not found in any of: ${candidates.join(', ')}; ` +
        'set CROSSWALK_REFERENCE_DIR to the shared/reference/controls folder',
    );
  });
  it.skipIf(referenceDir !== undefined || process.env['CI'] === 'true')(
    'are not at hand here: set CROSSWALK_REFERENCE_DIR to compare the committed data with them',
    () => {},
  );
});

describe.skipIf(referenceDir === undefined)('the committed data', () => {
  it.each(Object.entries(referenceDir === undefined ? {} : buildData(referenceDir)))(
    'matches the reference for %s',
    (name, expected) => {
      const committed: unknown = JSON.parse(readFileSync(join(packageDir, 'data', name), 'utf8'));
      expect(committed).toEqual(expected);
    },
  );
});

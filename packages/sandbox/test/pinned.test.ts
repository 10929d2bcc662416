import { describe, expect, it } from 'vitest';
import { gitBlobId } from '../src/pinned.js';

describe('pinning a vendored description', () => {
  it('names bytes as `git hash-object` does, so SOURCE.md can quote the upstream blob', () => {
    expect(gitBlobId(Buffer.from(''))).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
    expect(gitBlobId(Buffer.from('hello\n'))).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(gitBlobId(Buffer.from('hello\n\n'))).not.toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });
});

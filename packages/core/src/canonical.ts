import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import { CrosswalkError } from './errors.js';

// The package is CommonJS (`module.exports = fn`) but its typings declare an ES default export, so under
// NodeNext TypeScript types the default import as the module object. At run time it is the function.
const canonicalizeJson = canonicalizeModule as unknown as (value: unknown) => string | undefined;

/**
 * RFC 8785 (JSON Canonicalization Scheme): sorted keys, no whitespace, ECMAScript number formatting.
 * The same logical object always gives the same bytes, so its SHA-256 is a stable fingerprint that an auditor
 * can recompute with any JCS implementation.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalizeJson(value);
  } catch (cause) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `value cannot be canonicalized: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  if (text === undefined) throw new CrosswalkError('CW_INPUT_INVALID', 'value has no JSON representation');
  return text;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of the canonical JSON of `value`. */
export function canonicalSha256(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

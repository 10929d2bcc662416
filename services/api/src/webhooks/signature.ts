import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>` of HMAC-SHA256 over the exact bytes received: the form GitHub and the generic sender use. */
export function sha256Signature(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Compares a received signature with the expected one in constant time. Lengths are compared first (that
 * reveals only the length, which is public: `sha256=` and 64 hex digits).
 */
export function signatureMatches(expected: string, received: unknown): boolean {
  if (typeof received !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The connector's webhook secret, if its config has one. */
export function webhookSecretOf(config: Record<string, unknown>): string | undefined {
  const secret = config.webhookSecret;
  return typeof secret === 'string' && secret.length > 0 ? secret : undefined;
}

/**
 * Compares a received shared secret (Okta's Authorization value) with the configured one in constant time. Both are
 * hashed first, so the comparison takes the same time whatever their lengths and reveals neither.
 */
export function secretMatches(expected: string, received: unknown): boolean {
  if (typeof received !== 'string' || expected.length === 0) return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(received));
}

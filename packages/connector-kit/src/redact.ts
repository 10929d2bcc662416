/** Turns a text that may hold a credential into one that does not. */
export type Redactor = (text: string) => string;

/**
 * Credential shapes any source may echo back: an Authorization value (Basic, Bearer, Okta's SSWS, DPoP), a JWT
 * (access tokens, client assertions), a PEM private key. Vendors add their own token shapes.
 */
export const COMMON_CREDENTIAL_PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g,
];
const AUTHORIZATION = /\b(Basic|Bearer|SSWS|DPoP)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/**
 * One redactor for a connection: the configured secrets (longest first, so a secret that contains another goes
 * whole), then Authorization values, then the common and the vendor's credential shapes. Secrets shorter than
 * four characters are left alone: replacing every `a` would make messages unreadable and hide nothing.
 *
 * @example createRedactor([token], [/\bghp_[A-Za-z0-9]{20,}/g])('bad token ghp_...') // 'bad token [redacted]'
 */
export function createRedactor(secrets: readonly string[], patterns: readonly RegExp[] = []): Redactor {
  const ordered = [...new Set(secrets)]
    .filter((secret) => secret.length >= 4)
    .sort((a, b) => b.length - a.length);
  const shapes = [...COMMON_CREDENTIAL_PATTERNS, ...patterns];
  return (text) => {
    let result = String(text);
    for (const secret of ordered) result = result.split(secret).join('[redacted]');
    result = result.replace(AUTHORIZATION, '$1 [redacted]');
    for (const shape of shapes) result = result.replace(shape, '[redacted]');
    return result;
  };
}

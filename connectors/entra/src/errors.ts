import { createRedactor, type Redactor, type SourceSaid } from '@crosswalk/connector-kit';

/** Entra client secrets: 40 characters with a `~` in the fourth place (`abc8Q~...`), as the portal issues them. */
export const ENTRA_CLIENT_SECRET = /\b[A-Za-z0-9_-]{3}8Q~[A-Za-z0-9_.~-]{34}\b/g;

/** One connection's redactor: the configured secrets, and anything shaped like a client secret, a JWT or a key. */
export function entraRedactor(secrets: readonly string[]): Redactor {
  return createRedactor(secrets, [ENTRA_CLIENT_SECRET]);
}

/** Graph's error body: `{ error: { code, message, innerError } }`. */
export function describeGraphError(body: unknown): SourceSaid {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error === null || typeof error !== 'object') return { text: '' };
  const code = typeof error.code === 'string' ? error.code : undefined;
  const message = typeof error.message === 'string' ? error.message : '';
  return { code, text: [code, message].filter(Boolean).join(' '), hint: hintForCode(code) };
}

/** What Graph's own error codes mean for an operator. */
function hintForCode(code: string | undefined): string | undefined {
  if (code === 'Authentication_RequestFromNonPremiumTenantOrB2CTenant')
    return 'the tenant has no Microsoft Entra ID P1/P2 licence for this report';
  if (code === 'InvalidAuthenticationToken')
    return 'the access token was refused; check the app registration';
  return undefined;
}

/** The identity platform's token error: `{ error, error_description, error_codes }` (AADSTS codes). */
export function describeTokenError(body: unknown): SourceSaid {
  const answer = (body ?? {}) as { error?: unknown; error_description?: unknown; error_codes?: unknown };
  if (typeof answer.error !== 'string') return { text: '' };
  // The description's first line names the AADSTS code and the cause; the trace and correlation ids follow.
  const description =
    typeof answer.error_description === 'string' ? answer.error_description.split(/\r?\n/)[0]! : '';
  const codes = Array.isArray(answer.error_codes) ? answer.error_codes.map(Number) : [];
  return {
    code: answer.error,
    text: `${answer.error}${description ? `: ${description}` : ''}`,
    hint: tokenHint(codes),
  };
}

function tokenHint(codes: number[]): string | undefined {
  if (codes.includes(7000215)) return 'the client secret is wrong: use the secret Value, not its id';
  if (codes.includes(7000222)) return 'the client secret has expired: add a new one to the app registration';
  if (codes.includes(700016)) return 'no app with this client id in the tenant: check clientId and tenantId';
  if (codes.includes(90002)) return 'no such tenant: check tenantId';
  if (codes.includes(700027))
    return 'the client assertion was refused: upload this certificate to the app registration';
  return 'check tenantId, clientId and the secret or certificate';
}

/**
 * Replaces any secret value in a message with `[redacted]`. Connectors must not put secrets in errors; this is
 * the second line of defence, so a run manifest never carries one even when a library echoes a header.
 */
export function redact(message: string, secrets: readonly string[]): string {
  let clean = message;
  for (const secret of secrets) clean = clean.split(secret).join('[redacted]');
  return clean;
}

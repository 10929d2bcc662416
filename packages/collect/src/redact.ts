/** Config keys whose values are secrets, wherever they sit in a connector's config. */
const SECRET_KEY = /token|secret|password|private.?key|api.?key|credential/i;

/** Every secret string in a config object (values under secret-looking keys), for scrubbing messages. */
export function secretValues(config: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, secret: boolean) => {
    if (typeof value === 'string') {
      if (secret && value.length >= 4) found.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, secret);
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) walk(child, secret || SECRET_KEY.test(key));
    }
  };
  walk(config, false);
  return found;
}

/**
 * Replaces any secret value in a message with `[redacted]`. Connectors must not put secrets in errors; this is
 * the second line of defence, so a run manifest never carries one even when a library echoes a header.
 */
export function redact(message: string, secrets: readonly string[]): string {
  let clean = message;
  for (const secret of secrets) clean = clean.split(secret).join('[redacted]');
  return clean;
}

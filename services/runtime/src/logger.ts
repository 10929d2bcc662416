import { secretFieldNames } from '@crosswalk/core';
import { pino } from 'pino';
import { registry as builtIn, type ConnectorRegistry } from './registry.js';

/**
 * pino with secrets redacted by path: authorization headers, webhook signatures, common credential names, and every
 * field a registered connector's config schema marks `secret` (one level under any logged object, as pino's `*`
 * reaches). Connectors and the runner already keep secrets out of messages; this is the net under them.
 */
const FIXED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
  'req.headers["x-crosswalk-signature"]',
  'headers.authorization',
  'headers["x-hub-signature-256"]',
  'headers["x-hub-signature"]',
  'headers["x-crosswalk-signature"]',
  '*.token',
  '*.apiToken',
  '*.secret',
  '*.password',
  '*.privateKey',
  '*.webhookSecret',
  'config.auth',
  '*.config.auth',
];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The paths pino censors for the connectors of a registry: the fixed ones and each marked field's name. */
export function redactPaths(registry: ConnectorRegistry): string[] {
  const names = new Set(registry.all().flatMap((connector) => secretFieldNames(connector.configSchema)));
  const marked = [...names].map((name) =>
    IDENTIFIER.test(name) ? `*.${name}` : `*[${JSON.stringify(name)}]`,
  );
  return [...new Set([...FIXED_PATHS, ...marked])];
}

export const REDACT_PATHS = redactPaths(builtIn);

export function createLogger(options: { level?: string; name?: string; registry?: ConnectorRegistry } = {}) {
  return pino({
    name: options.name ?? 'crosswalk',
    level: options.level ?? 'info',
    redact: { paths: options.registry ? redactPaths(options.registry) : REDACT_PATHS, censor: '[redacted]' },
  });
}

export type Logger = ReturnType<typeof createLogger>;

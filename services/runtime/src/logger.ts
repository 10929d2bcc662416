import { pino } from 'pino';

/**
 * pino with secrets redacted by path: authorization headers, webhook signatures and anything named like a
 * credential, at any depth pino can address. Connectors and the runner already keep secrets out of messages;
 * this is the net under them.
 */
export const REDACT_PATHS = [
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

export function createLogger(options: { level?: string; name?: string } = {}) {
  return pino({
    name: options.name ?? 'crosswalk',
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  });
}

export type Logger = ReturnType<typeof createLogger>;

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS } from '../src/logger.js';

describe('log redaction', () => {
  it('censors every webhook signature, authorization header and credential field it names', () => {
    const lines: string[] = [];
    const log = pino(
      { redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
      { write: (line: string) => void lines.push(line) },
    );
    const secrets = {
      authorization: 'Bearer cwk_aaaaaaaaaaaa_secret-one',
      github: 'sha256=github-signature-secret',
      jira: 'sha256=jira-signature-secret',
      generic: 'sha256=generic-signature-secret',
      token: 'ghp_token-secret',
      webhookSecret: 'whsec-secret-value',
    };
    const headers = {
      authorization: secrets.authorization,
      'x-hub-signature-256': secrets.github,
      'x-hub-signature': secrets.jira,
      'x-crosswalk-signature': secrets.generic,
    };
    log.info({ req: { headers } }, 'request');
    log.info({ headers }, 'delivery');
    log.info({ connector: { token: secrets.token, webhookSecret: secrets.webhookSecret } }, 'config');
    expect(lines).toHaveLength(3);
    for (const secret of Object.values(secrets)) {
      for (const line of lines) expect(line).not.toContain(secret);
    }
    expect(lines.join('\n').match(/\[redacted\]/g)).toHaveLength(10);
  });
});

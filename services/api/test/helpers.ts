import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConnector } from '@crosswalk/collect';
import { githubConnector } from '@crosswalk/connector-github';
import { acme, configFor, NOW, startFake, WINDOW } from '@crosswalk/connector-github/testing';
import { fixedClock } from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import { createRuntime, parseServiceEnv, REDACT_PATHS, type Role, type Runtime } from '@crosswalk/runtime';
import {
  createTestBucket,
  deleteTestBucket,
  redisTestUrl,
  s3ServiceVars,
  s3TestConfig,
} from '@crosswalk/testing';
import { pino } from 'pino';
import { type App, buildApp, sha256Signature } from '../src/index.js';
import { queueRedis } from '../src/redis.js';

/** Real Redis and S3 from the environment (scripts/services/start.sh), or undefined so a suite can skip. */
export const services = await (async () => {
  const [redis, s3] = await Promise.all([redisTestUrl(), s3TestConfig()]);
  return redis && s3 ? { redis, s3 } : undefined;
})();

export interface TestApp {
  runtime: Runtime;
  app: App;
  /** A token per role, plus an expired and a revoked admin token. */
  tokens: Record<Role | 'expired' | 'revoked', string>;
  /** Every route the app registered (HEAD routes included), as method and URL pattern. */
  routes: { method: string; url: string }[];
  /** Every log line the runtime's logger wrote (JSON text), redaction applied. */
  logs: string[];
  bucket: string;
  bearer(token: string): { authorization: string };
  close(): Promise<void>;
}

/**
 * A runtime on a fresh S3 bucket and its own Redis database (one per test file: the queues have fixed names,
 * so files sharing a database would see each other's jobs), its queues emptied, and the app over it.
 */
export async function startTestApp(options: {
  db: number;
  env?: Record<string, string>;
  /**
   * Leave the queues (and failed-login counters) as they are: for a file that shares a database and enqueues
   * nothing, or runs without Redis.
   */
  keepQueues?: boolean;
  /**
   * The console's dist folder; by default one that does not exist, so a console built in the work tree does not
   * change what these suites see (console.test.ts serves one of its own).
   */
  consoleDir?: string;
}): Promise<TestApp> {
  if (!services) throw new Error('no Redis or S3 for the API tests');
  const { s3 } = services;
  const bucket = await createTestBucket(s3);
  const redis = new URL(services.redis);
  redis.pathname = `/${options.db}`;
  const env = parseServiceEnv({
    REDIS_URL: redis.toString(),
    CROSSWALK_SECRET_KEY: randomBytes(32).toString('base64'),
    ...s3ServiceVars(s3, bucket),
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const logs: string[] = [];
  // The runtime's own redaction, writing into memory so a test can search every line.
  const logger = pino(
    { name: 'crosswalk', level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    { write: (line: string) => void logs.push(line) },
  );
  const runtime = createRuntime(env, { logger });
  if (!options.keepQueues) {
    await Promise.all([
      runtime.collectQueue.queue.obliterate({ force: true }),
      runtime.webhookQueue.queue.obliterate({ force: true }),
      runtime.exportQueue.queue.obliterate({ force: true }),
    ]);
    // Failed-login counters outlive a run (15 minutes): a suite that fails logins on purpose starts from none.
    const client = (await queueRedis(runtime)) as unknown as {
      keys(pattern: string): Promise<string[]>;
      del(...keys: string[]): Promise<number>;
    };
    const counters = await client.keys('crosswalk:login-failures:*');
    if (counters.length > 0) await client.del(...counters);
  }
  const create = (role: Role, extra: { expiresAt?: string } = {}) =>
    runtime.keys.create({ name: `test ${role}`, role, createdBy: 'test', ...extra }).then((k) => k.token);
  const [admin, operator, auditor, expired, revoked] = await Promise.all([
    create('admin'),
    create('operator'),
    create('auditor'),
    create('admin', { expiresAt: '2020-01-01T00:00:00.000Z' }),
    create('admin'),
  ]);
  await runtime.keys.revoke(revoked.split('_')[1]!, 'test');
  const app = buildApp(runtime, {
    consoleDir: options.consoleDir ?? join(tmpdir(), 'crosswalk-test-no-console'),
  });
  // Plugins register their routes at ready(), after this hook is in place, so it sees every route.
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  await app.ready();
  return {
    runtime,
    app,
    tokens: { admin, operator, auditor, expired, revoked },
    routes,
    logs,
    bucket,
    bearer: (token) => ({ authorization: `Bearer ${token}` }),
    async close() {
      await app.close();
      await runtime.close();
      await deleteTestBucket(s3, bucket);
    },
  };
}

type WebhookVendor = 'github' | 'okta' | 'jira' | 'entra';

/** A minimal valid config per webhook-sending connector type; the tokens reach no vendor. */
const WEBHOOK_SENDERS: Record<WebhookVendor, Record<string, unknown>> = {
  github: { type: 'github', org: 'acme', auth: { kind: 'token', token: 'ghp_webhookSender' } },
  okta: {
    type: 'okta',
    orgUrl: 'https://acme.okta.com',
    auth: { kind: 'token', token: '00oktaWebhookSender' },
  },
  jira: {
    type: 'jira',
    siteUrl: 'https://acme.atlassian.net',
    auth: { kind: 'basic', email: 'bot@acme.example', apiToken: 'ATATT3xWebhookSender' },
    kinds: { deprovisioning: { jql: 'project = IT' } },
  },
  entra: {
    type: 'entra',
    tenantId: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
    auth: {
      kind: 'secret',
      clientId: '11111111-1111-4111-a111-111111111111',
      clientSecret: 'Xy78Q~EntraWebhookSender',
    },
  },
};

/**
 * One GitHub, one Okta and one Jira connector, stored under `ids`, each with its entry of `secrets` as webhook
 * secret (a vendor missing from `secrets` gets none, so its deliveries cannot be verified).
 */
export async function createWebhookSenders(
  runtime: Runtime,
  ids: Partial<Record<WebhookVendor, string>>,
  secrets: Partial<Record<WebhookVendor, string>> = {},
): Promise<void> {
  for (const [vendor, id] of Object.entries(ids) as [WebhookVendor, string][]) {
    const secret = secrets[vendor];
    const config = { ...WEBHOOK_SENDERS[vendor], ...(secret === undefined ? {} : { webhookSecret: secret }) };
    await runtime.configs.create(id, config, 'test');
  }
}

/**
 * A delivery to `/v1/webhooks/<connector>/<vendor>` signed the way the vendor signs it (HMAC-SHA256 of the exact
 * bytes: GitHub's `x-hub-signature-256`, Jira's `x-hub-signature`), with its delivery id and, for GitHub, its event.
 * `contentType` null leaves the header out.
 */
export function signedDelivery(
  vendor: 'github' | 'jira',
  options: {
    connector: string;
    secret: string;
    body: string;
    event?: string;
    delivery?: string;
    contentType?: string | null;
  },
) {
  const { body, contentType = 'application/json' } = options;
  const delivery = options.delivery ?? randomUUID();
  const signature = sha256Signature(options.secret, Buffer.from(body));
  const headers: Record<string, string> =
    vendor === 'github'
      ? {
          'x-github-event': options.event ?? 'ping',
          'x-github-delivery': delivery,
          'x-hub-signature-256': signature,
        }
      : { 'x-atlassian-webhook-identifier': delivery, 'x-hub-signature': signature };
  if (contentType !== null) headers['content-type'] = contentType;
  return {
    method: 'POST' as const,
    url: `/v1/webhooks/${options.connector}/${vendor}`,
    headers,
    payload: body,
  };
}

/** Any text that looks like a stack frame or a source path. */
export const STACK_TRACE = /\n\s*at |\bat [\w.<>]+ \(|node:internal|\/work\/|\.ts:\d+|\.js:\d+|"stack"/;

/**
 * Real records and run manifests in `locker`: the GitHub connector against its loopback organization, collecting
 * WINDOW as connector `seed` at NOW, `runs` times (runs after the first store nothing new).
 */
export async function seedFromGitHub(locker: Locker, runs = 1): Promise<void> {
  const fake = await startFake(acme());
  try {
    for (let run = 0; run < runs; run++) {
      await runConnector({
        connector: githubConnector,
        connectorId: 'seed',
        config: configFor(fake),
        locker,
        window: WINDOW,
        trigger: { type: 'manual', by: 'test' },
        clock: fixedClock(NOW),
      });
    }
  } finally {
    await fake.close();
  }
}

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CrosswalkError } from '@crosswalk/core';
import type { Runtime } from '@crosswalk/runtime';
import Fastify, { type FastifyInstance, LogController, type RawServerDefault } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { assertJsonDepth } from './depth.js';
import { handleError, publicError } from './errors.js';
import './fastify.js';
import { authPlugin } from './plugins/auth.js';
import { catalogPlugin } from './plugins/catalog.js';
import { connectorsPlugin } from './plugins/connectors.js';
import { consolePlugin } from './plugins/console.js';
import { controlTestsPlugin } from './plugins/control-tests.js';
import { coveragePlugin } from './plugins/coverage.js';
import { docsPlugin } from './plugins/docs.js';
import { evidencePlugin } from './plugins/evidence.js';
import { exportsPlugin } from './plugins/exports.js';
import { flagsPlugin } from './plugins/flags.js';
import { healthPlugin } from './plugins/health.js';
import { keysPlugin } from './plugins/keys.js';
import { runtimePlugin } from './plugins/runtime.js';
import { securityHeadersPlugin } from './plugins/security-headers.js';
import { type SessionStoreKind, sessionPlugin } from './plugins/session.js';
import { webhooksPlugin } from './plugins/webhooks.js';
import { VERSION } from './version.js';
import type { WebhookSender } from './webhooks/sender.js';

export interface BuildAppOptions {
  /**
   * Serve the OpenAPI document and UI at /docs.
   * @defaultValue true
   */
  docs?: boolean;
  /**
   * Where console logins are kept: Redis (shared by every API process), or this process's memory for the
   * embedded API without Redis (`crosswalk demo --serve`).
   * @defaultValue 'redis'
   */
  sessions?: SessionStoreKind;
  /**
   * The console's built front-end, served at /console/.
   * @defaultValue consoleDistDir() (services/console/dist); without an index.html there, /console/ answers 404
   *   saying how to build it
   */
  consoleDir?: string;
  /** Webhook senders; the built-in table (GitHub, generic) when omitted. */
  senders?: readonly WebhookSender[];
}

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  Runtime['logger'],
  ZodTypeProvider
>;

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Routes called at volume (webhook intake, probes, scrapes): their successes are logged at debug only. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const SEVERITY: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * The level of a request's one log line: 5xx at error, 4xx at info (or the configured level when higher),
 * successes at the configured level, except on quiet routes, where they are debug.
 */
export function requestLogLevel(statusCode: number, quiet: boolean, configured: LogLevel): LogLevel {
  if (statusCode >= 500) return 'error';
  if (statusCode >= 400) return SEVERITY[configured] > SEVERITY.info ? configured : 'info';
  return quiet ? 'debug' : configured;
}

/**
 * The HTTP API over a runtime. Each feature is an encapsulated plugin with one prefix; the runtime is decorated
 * at the root; routes under /v1 other than webhooks sit behind the API-key plugin. Not started: `inject` it in
 * tests, or `listen` (see startServer).
 *
 * @example
 * const app = buildApp(createRuntime(parseServiceEnv()));
 * await app.listen({ port: 8080 });
 */
export function buildApp(runtime: Runtime, options: BuildAppOptions = {}): App {
  const app = Fastify({
    loggerInstance: runtime.logger,
    // Fastify's own request logging is two info lines per request ('incoming request', 'request completed'),
    // which cost a third of the API's CPU under webhook load; one line of ours (onResponse, below) replaces them.
    logController: new LogController({ disableRequestLogging: true }),
    // A caller's X-Request-Id is kept when it is a plain token (so logs join across services), else one is made.
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1_048_576,
    // Connector ids run to 128 characters and evidence ids to ~120; the default (100) would answer 414.
    routerOptions: { maxParamLength: 256 },
    // Bad percent-encoding and over-long params never reach a route: answer them in the same error shape.
    frameworkErrors: handleError,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const error = new CrosswalkError(
      'CW_NOT_FOUND',
      `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}`,
      { where: 'url' },
    );
    reply.status(404).send({ error: publicError(error, request.id) });
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Before validation and any handler: nothing recursive ever sees a body nested thousands deep.
  app.addHook('preValidation', async (request) => {
    const { body } = request;
    if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) assertJsonDepth(body, 'body');
  });
  const configured = runtime.env.CROSSWALK_REQUEST_LOG_LEVEL ?? 'info';
  app.addHook('onResponse', async (request, reply) => {
    const quiet =
      request.routeOptions.config.webhook !== undefined || QUIET_ROUTES.has(request.routeOptions.url ?? '');
    const level = requestLogLevel(reply.statusCode, quiet, configured);
    // request.log carries reqId; no headers or bodies (signatures, tokens) are ever put in this line.
    if (SEVERITY[level] >= (SEVERITY[request.log.level as LogLevel] ?? Number.POSITIVE_INFINITY)) {
      request.log[level](
        {
          method: request.method,
          url: request.url.slice(0, 512),
          statusCode: reply.statusCode,
          responseTime: Math.round(reply.elapsedTime * 100) / 100,
        },
        'request completed',
      );
    }
  });

  app.register(runtimePlugin, { runtime });
  app.register(securityHeadersPlugin);
  if (options.docs ?? true) app.register(docsPlugin, { version: VERSION });
  app.register(healthPlugin);
  app.register(consolePlugin, options.consoleDir === undefined ? {} : { dir: options.consoleDir });
  app.register(sessionPlugin, { store: options.sessions ?? 'redis' });
  app.register(webhooksPlugin, {
    prefix: '/v1/webhooks',
    ...(options.senders ? { senders: options.senders } : {}),
  });
  app.register(async (v1) => {
    await v1.register(authPlugin);
    await v1.register(connectorsPlugin, { prefix: '/v1/connectors' });
    await v1.register(evidencePlugin, { prefix: '/v1/evidence' });
    await v1.register(catalogPlugin, { prefix: '/v1' });
    await v1.register(exportsPlugin, { prefix: '/v1/exports' });
    await v1.register(coveragePlugin, { prefix: '/v1/coverage' });
    await v1.register(controlTestsPlugin, { prefix: '/v1/controls' });
    await v1.register(flagsPlugin, { prefix: '/v1' });
    await v1.register(keysPlugin, { prefix: '/v1/keys' });
  });
  return app;
}

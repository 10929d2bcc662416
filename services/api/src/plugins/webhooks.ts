import { CrosswalkError, isCrosswalkError } from '@crosswalk/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { viaRedis } from '../redis.js';
import { responses } from '../schemas.js';
import { senders as defaultSenders } from '../webhooks/index.js';
import {
  DELIVERY_ID,
  EVENT_NAME,
  header,
  mediaType,
  type RawDelivery,
  type WebhookChallenge,
  type WebhookSender,
  type WebhookValidation,
} from '../webhooks/sender.js';
import { feature } from './feature.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The webhook sender a route takes deliveries from (the metrics `source` label). */
    webhook?: string;
  }
  interface FastifyRequest {
    deliveryOutcome: DeliveryOutcome | null;
  }
}

type DeliveryOutcome = 'enqueued' | 'duplicate' | 'ignored' | 'ping' | 'notice' | 'verified';

const ackSchema = z.object({
  outcome: z.enum(['enqueued', 'duplicate', 'ignored', 'ping', 'notice']),
  duplicate: z.boolean().describe('The delivery id was seen before: acknowledged, no second job'),
  deliveryId: z.string(),
  event: z.string(),
  jobId: z.string().nullable(),
});

/** Redis is the only thing between a delivery and its acknowledgement; do not hold the sender past this. */
const ENQUEUE_TIMEOUT_MS = 5_000;

/** At most this many distinct unknown event names are remembered (and logged) per process. */
const MAX_LOGGED_EVENTS = 256;

/** 415 for a body in a type the sender never sends (a signed `text/plain` GitHub delivery was not GitHub's). */
function assertContentType(sender: WebhookSender, delivery: RawDelivery): void {
  const type = mediaType(header(delivery, 'content-type'));
  if (type === undefined && sender.emptyBodyUntyped && delivery.body.length === 0) return;
  if (type !== undefined && sender.contentTypes.includes(type)) return;
  throw new CrosswalkError(
    'CW_MEDIA_TYPE_UNSUPPORTED',
    `${sender.name} deliveries are sent as ${sender.contentTypes.join(' or ')}; this one is ${type ?? 'untyped'}`,
    { where: 'headers.content-type' },
  );
}

function statusOutcome(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 413) return 'too_large';
  if (status >= 400 && status < 500) return 'invalid';
  if (status >= 500) return 'error';
  return 'accepted';
}

/**
 * `/v1/webhooks`: deliveries authenticated by the sender's own scheme (no API key). The body is kept as the
 * exact bytes received, by a content-type parser scoped to this plugin, because signatures are over those bytes.
 * Answers 202 as soon as the job is enqueued; the worker does the rest.
 */
export const webhooksPlugin = feature<{ senders?: readonly WebhookSender[] }>(
  'crosswalk-webhooks',
  ['crosswalk-runtime'],
  async (app, options) => {
    const { runtime } = app;
    const bodyLimit = runtime.env.CROSSWALK_WEBHOOK_BODY_LIMIT;
    const loggedEvents = new Set<string>();

    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.decorateRequest('deliveryOutcome', null);
    app.addHook('onResponse', async (request, reply) => {
      const source = request.routeOptions.config.webhook;
      if (source) {
        runtime.metrics.deliveries.inc({
          source,
          outcome: request.deliveryOutcome ?? statusOutcome(reply.statusCode),
        });
      }
    });

    /** The connector's decrypted config, or undefined when this sender cannot deliver for it (-> 401). */
    async function configFor(sender: WebhookSender, connectorId: string) {
      try {
        const { type, config } = await runtime.configs.resolve(connectorId);
        if (sender.connectorTypes && !sender.connectorTypes.includes(type)) return undefined;
        return { type, config };
      } catch (error) {
        // Unknown connector, or credentials that no longer decrypt: the same 401 as a bad signature, so an
        // unauthenticated caller learns nothing about which connectors exist.
        if (isCrosswalkError(error, 'CW_NOT_FOUND')) return undefined;
        if (isCrosswalkError(error, 'CW_CONFIG_INVALID')) {
          app.log.warn(
            { connectorId, code: error.code, where: error.where },
            'webhook connector config unusable',
          );
          return undefined;
        }
        throw error;
      }
    }

    /**
     * A sender's validation POST (Graph's `?validationToken=`): answered at once, 200 `text/plain` echoing the token,
     * before the connector is looked up (the source sends no credential, and the answer must not tell an
     * unauthenticated caller which connectors exist). Nothing is enqueued. Undefined when the POST is a delivery.
     */
    function validate(
      validation: WebhookValidation,
      request: FastifyRequest,
      reply: FastifyReply,
    ): FastifyReply | undefined {
      const query = (request.query ?? {}) as Record<string, unknown>;
      if (query[validation.query] === undefined) return undefined;
      const token = validation.read(query[validation.query]);
      const where = `query.${validation.query}`;
      if (token === undefined) {
        throw new CrosswalkError('CW_INPUT_INVALID', 'validation token malformed', {
          where,
          issues: [{ path: where, message: 'the token must be printable text without < > & (at most 1024)' }],
        });
      }
      request.deliveryOutcome = 'verified';
      request.log.info(
        { source: request.routeOptions.config.webhook },
        'webhook subscription validation answered',
      );
      return reply.status(200).type('text/plain; charset=utf-8').send(token);
    }

    function handler(sender: WebhookSender) {
      return async (request: FastifyRequest, reply: FastifyReply) => {
        if (sender.validation) {
          const answered = validate(sender.validation, request, reply);
          if (answered) return answered;
        }
        const params = request.params as Record<string, string>;
        const delivery: RawDelivery = {
          headers: request.headers,
          params,
          body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        };
        const connectorId = params.connectorId ?? '';
        assertContentType(sender, delivery);
        const found = await configFor(sender, connectorId);
        if (!found || !sender.verify(delivery, found.config)) {
          throw new CrosswalkError(
            'CW_UNAUTHORIZED',
            `the delivery's signature does not verify with connector ${connectorId}'s webhook secret (or the connector has none)`,
            { where: sender.credentialWhere ?? `headers.${sender.credential}` },
          );
        }
        const payload = sender.parse(delivery);
        const deliveryId = sender.deliveryId(delivery, payload);
        const event = sender.event(delivery, payload);
        const where = sender.where ?? { deliveryId: 'headers.delivery', event: 'headers.event' };
        const issues = [
          ...(deliveryId !== undefined && DELIVERY_ID.test(deliveryId)
            ? []
            : [{ path: where.deliveryId, message: 'a delivery id is required (letters, digits, . _ : -)' }]),
          ...(event !== undefined && EVENT_NAME.test(event)
            ? []
            : [{ path: where.event, message: 'an event name is required' }]),
        ];
        if (issues.length > 0 || deliveryId === undefined || event === undefined) {
          throw new CrosswalkError('CW_INPUT_INVALID', 'delivery id or event missing or malformed', {
            where: issues[0]!.path,
            issues,
          });
        }
        const ack = (outcome: DeliveryOutcome, jobId: string | null) => {
          request.deliveryOutcome = outcome;
          return reply
            .status(202)
            .send({ outcome, duplicate: outcome === 'duplicate', deliveryId, event, jobId });
        };
        if (sender.pings?.includes(event)) return ack('ping', null);
        if (sender.notices?.includes(event)) {
          // A subscription lifecycle notice (Graph's reauthorizationRequired, subscriptionRemoved, missed): an
          // operator has to act on the subscription, so every one is logged.
          request.log.warn(
            { source: sender.name, connectorId, event, deliveryId },
            'webhook subscription notice acknowledged: the subscription needs attention',
          );
          return ack('notice', null);
        }
        if (sender.events && !sender.events.includes(event)) {
          const key = `${sender.name}:${event}`;
          if (!loggedEvents.has(key) && loggedEvents.size < MAX_LOGGED_EVENTS) {
            loggedEvents.add(key);
            request.log.info(
              { source: sender.name, event },
              'webhook event type not handled: acknowledged and ignored (logged once per process)',
            );
          }
          return ack('ignored', null);
        }
        // 503 at once when Redis is down (the queues keep no command for later), within 5 s when it hangs.
        const { jobId, duplicate } = await viaRedis(
          runtime.webhookQueue,
          'the job queue',
          () =>
            sender.dispatch(runtime, {
              connectorId,
              connectorType: found.type,
              deliveryId,
              event,
              payload,
              receivedAt: new Date().toISOString(),
              params,
            }),
          ENQUEUE_TIMEOUT_MS,
        );
        return ack(duplicate ? 'duplicate' : 'enqueued', jobId);
      };
    }

    /**
     * A sender's verification GET (Okta): authenticated exactly like its deliveries (401 otherwise, the same for
     * an unknown connector), then the challenge echoed (400 when missing or malformed). Nothing is enqueued.
     */
    function challengeHandler(sender: WebhookSender, challenge: WebhookChallenge) {
      return async (request: FastifyRequest, reply: FastifyReply) => {
        const params = request.params as Record<string, string>;
        const delivery: RawDelivery = { headers: request.headers, params, body: Buffer.alloc(0) };
        const connectorId = params.connectorId ?? '';
        const found = await configFor(sender, connectorId);
        if (!found || !sender.verify(delivery, found.config)) {
          throw new CrosswalkError(
            'CW_UNAUTHORIZED',
            `the verification request does not authenticate with connector ${connectorId}'s webhook secret (or the connector has none)`,
            { where: `headers.${sender.credential}` },
          );
        }
        const value = challenge.read(delivery);
        if (value === undefined) {
          throw new CrosswalkError('CW_INPUT_INVALID', 'verification challenge missing or malformed', {
            where: challenge.where,
            issues: [{ path: challenge.where, message: 'the challenge is required (printable, no spaces)' }],
          });
        }
        request.deliveryOutcome = 'verified';
        request.log.info({ source: sender.name, connectorId }, 'webhook endpoint verification answered');
        return reply.status(200).send(challenge.answer(value));
      };
    }

    for (const sender of options.senders ?? defaultSenders) {
      if (sender.challenge) {
        app.get(
          sender.url,
          {
            config: { webhook: sender.name },
            schema: {
              tags: ['webhooks'],
              summary: sender.challenge.summary,
              description: sender.challenge.description,
              params: sender.params,
              headers: sender.challenge.headers,
              response: responses({ 200: z.record(z.string(), z.string()) }, [400, 401]),
            },
          },
          challengeHandler(sender, sender.challenge),
        );
      }
      app.post(
        sender.url,
        {
          bodyLimit,
          config: { webhook: sender.name },
          schema: {
            tags: ['webhooks'],
            summary: sender.summary,
            description: sender.description,
            params: sender.params,
            headers: sender.headers,
            ...(sender.validation ? { querystring: sender.validation.querystring } : {}),
            response: responses(
              sender.validation
                ? { 200: z.string().describe('The validation token, echoed as text/plain'), 202: ackSchema }
                : { 202: ackSchema },
              [400, 401, 413, 415, 503],
            ),
          },
        },
        handler(sender),
      );
    }
  },
);

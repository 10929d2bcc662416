import { CrosswalkError } from '@crosswalk/core';
import { connectorFor, DELIVERY_CLAIM_SECONDS } from '@crosswalk/runtime';
import { z } from 'zod';
import { collectWindowProblem } from '../collect-window.js';
import { queueRedis } from '../redis.js';
import { toInstant } from '../time.js';
import { parseJsonBody } from './json.js';
import { header, type WebhookSender } from './sender.js';
import { sha256Signature, signatureMatches, webhookSecretOf } from './signature.js';

const instant = z.string().refine((text) => toInstant(text) !== undefined, {
  message: 'must be a UTC date or a timestamp with a zone',
});

const bodySchema = z
  .object({
    since: instant.optional(),
    until: instant.optional(),
    filter: z
      .record(z.string().max(100), z.string().max(500))
      .refine((filter) => Object.keys(filter).length <= 20, { message: 'at most 20 entries' })
      .optional(),
  })
  .strict()
  .refine((body) => (body.since === undefined) === (body.until === undefined), {
    message: 'since and until go together',
    path: ['until'],
  })
  .superRefine((body, ctx) => {
    if (body.since === undefined || body.until === undefined) return;
    const problem = collectWindowProblem(toInstant(body.since)!, toInstant(body.until)!);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['until'] });
  });

/**
 * The generic signed webhook: any system that can sign a POST triggers one named collector of a connector.
 * `X-Crosswalk-Signature: sha256=<hex>` (HMAC-SHA256 of the raw body with the connector's `webhookSecret`),
 * `X-Crosswalk-Delivery` (unique per delivery; a replay is acknowledged and not run again), optional
 * `X-Crosswalk-Event`. Body: empty or `{ since?, until?, filter? }`.
 */
export const genericSender: WebhookSender = {
  name: 'generic',
  url: '/:connectorId/generic/:collector',
  summary: 'Generic signed webhook: collect one collector now',
  description:
    "Sign the raw body with HMAC-SHA256 and the connector's `webhookSecret`: `X-Crosswalk-Signature: " +
    "sha256=<hex>`. `X-Crosswalk-Delivery` is the delivery's unique id. Body: empty, or JSON " +
    '`{ "since", "until", "filter" }` (window and collector filter) sent as `application/json`. A window ' +
    'starts no later than now and spans at most 2 years.',
  params: z.object({ connectorId: z.string().max(128), collector: z.string().max(100) }),
  headers: z.object({
    'x-crosswalk-signature': z.string().optional().describe('sha256=<hex>; required (401 without)'),
    'x-crosswalk-delivery': z.string().optional().describe('Unique delivery id; required'),
    'x-crosswalk-event': z
      .string()
      .optional()
      .describe('Event name recorded in the trigger (default generic)'),
  }),
  credential: 'x-crosswalk-signature',
  // JSON, or an empty body with no Content-Type at all (`curl -X POST`): collect with the defaults.
  contentTypes: ['application/json'],
  emptyBodyUntyped: true,
  verify(delivery, config) {
    const secret = webhookSecretOf(config);
    if (!secret) return false;
    return signatureMatches(
      sha256Signature(secret, delivery.body),
      header(delivery, 'x-crosswalk-signature'),
    );
  },
  deliveryId: (delivery) => header(delivery, 'x-crosswalk-delivery'),
  event: (delivery) => header(delivery, 'x-crosswalk-event') ?? 'generic',
  parse(delivery) {
    // An empty body asks for the collector's default window and no filter.
    return parseJsonBody(delivery.body, bodySchema, { empty: {} });
  },
  async dispatch(runtime, delivery) {
    const collector = delivery.params.collector ?? '';
    const known = connectorFor(delivery.connectorType).collectors.map((c) => c.id);
    if (!known.includes(collector)) {
      throw new CrosswalkError(
        'CW_INPUT_INVALID',
        `connector ${delivery.connectorId} has no collector "${collector}" (it has ${known.join(', ')})`,
        {
          where: 'params.collector',
          issues: [{ path: 'params.collector', message: `must be one of ${known.join(', ')}` }],
        },
      );
    }
    const body = delivery.payload as z.infer<typeof bodySchema>;
    // The collect queue collapses jobs by (connector, collector, window, filter), not by delivery, so replays
    // are caught here: the first delivery of an id claims it in Redis for as long as the webhook queue's
    // claims last (DELIVERY_CLAIM_SECONDS), a replay finds it claimed.
    const redis = await queueRedis(runtime);
    const seen = `crosswalk:webhook-delivery:${delivery.connectorId}:${delivery.deliveryId}`;
    const claimed = await redis.set(seen, '1', 'EX', DELIVERY_CLAIM_SECONDS, 'NX');
    if (claimed === null) {
      return { jobId: (await redis.get(`${seen}:job`)) ?? '', duplicate: true };
    }
    try {
      const jobId = await runtime.collectQueue.enqueue({
        connectorId: delivery.connectorId,
        collector,
        window:
          body.since !== undefined && body.until !== undefined
            ? { since: toInstant(body.since)!, until: toInstant(body.until)! }
            : null,
        filter: body.filter ?? {},
        trigger: { type: 'webhook', deliveryId: delivery.deliveryId, event: delivery.event },
      });
      await redis.set(`${seen}:job`, jobId, 'EX', DELIVERY_CLAIM_SECONDS);
      return { jobId, duplicate: false };
    } catch (error) {
      await redis.del(seen);
      throw error;
    }
  },
};

import { ISSUE_KEY } from '@crosswalk/connector-jira';
import { z } from 'zod';
import { parseJsonBody } from './json.js';
import { header, toConnector, type WebhookSender } from './sender.js';
import { sha256Signature, signatureMatches, webhookSecretOf } from './signature.js';

/** The events that can change a ticket's evidence; the connector collects that ticket again. */
const ISSUE_EVENTS = ['jira:issue_created', 'jira:issue_updated'];

const envelope = z
  .looseObject({
    webhookEvent: z.string().min(1).max(100),
    issue: z.looseObject({ key: z.string().max(200).optional() }).optional(),
  })
  .superRefine((body, context) => {
    if (!ISSUE_EVENTS.includes(body.webhookEvent)) return;
    const key = body.issue?.key;
    if (key === undefined || !ISSUE_KEY.test(key)) {
      context.addIssue({
        code: 'custom',
        path: ['issue', 'key'],
        message: 'an issue event needs the issue key, e.g. IT-42',
      });
    }
  });

/**
 * Jira Cloud admin webhooks (https://developer.atlassian.com/cloud/jira/platform/webhooks/). Registered with a
 * secret, Jira signs each delivery with `X-Hub-Signature: sha256=<hex>`, HMAC-SHA256 of the raw body
 * (#secure-admin-webhooks). `X-Atlassian-Webhook-Identifier` is unique per delivery and the same on each retry
 * (retries after 408, 409, 425, 429, 5xx or a timeout carry `X-Atlassian-Webhook-Retry`, #retry-policy), so it is
 * the delivery id. The event is the body's `webhookEvent`. An issue created or updated becomes a job in which the
 * connector collects that ticket through the API for each configured kind; other events are acknowledged and
 * ignored.
 */
export const jiraSender: WebhookSender = {
  name: 'jira',
  url: '/:connectorId/jira',
  summary: 'Jira Cloud webhook delivery',
  description:
    "Create a Jira admin webhook (Settings, System, WebHooks) with this URL, the connector's `webhookSecret` as " +
    "Secret, and the events Issue created and Issue updated (a JQL filter such as the kinds' projects keeps " +
    'deliveries down). Each one collects that ticket again, through the API, for every configured ticket kind.',
  params: z.object({ connectorId: z.string().max(128) }),
  headers: z.object({
    'x-hub-signature': z.string().optional().describe('sha256=<hex>; required (401 without)'),
    'x-atlassian-webhook-identifier': z
      .string()
      .optional()
      .describe('Unique per delivery, the same on retries; required'),
    'x-atlassian-webhook-retry': z.string().optional().describe('Retry count, on retries'),
  }),
  credential: 'x-hub-signature',
  // Jira Cloud sends `application/json; charset=UTF-8`, nothing else.
  contentTypes: ['application/json'],
  connectorTypes: ['jira'],
  verify(delivery, config) {
    const secret = webhookSecretOf(config);
    if (!secret) return false;
    return signatureMatches(sha256Signature(secret, delivery.body), header(delivery, 'x-hub-signature'));
  },
  parse: (delivery) => parseJsonBody(delivery.body, envelope),
  deliveryId: (delivery) => header(delivery, 'x-atlassian-webhook-identifier'),
  event: (_delivery, payload) => (payload as z.infer<typeof envelope>).webhookEvent,
  where: { deliveryId: 'headers.x-atlassian-webhook-identifier', event: 'body.webhookEvent' },
  events: ISSUE_EVENTS,
  dispatch: toConnector,
};

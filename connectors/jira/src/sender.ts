import type { WebhookSenderDeclaration } from '@crosswalk/core';
import { z } from 'zod';
import { ISSUE_KEY } from './collectors/tickets.js';

/** The webhook events that can change a ticket's evidence (`webhookEvent` in the body). */
export const ISSUE_EVENTS: readonly string[] = ['jira:issue_created', 'jira:issue_updated'];

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
 * the delivery id. The event is the body's `webhookEvent`.
 */
export const jiraSender: WebhookSenderDeclaration = {
  summary: 'Jira Cloud webhook delivery',
  description:
    "Create a Jira admin webhook (Settings, System, WebHooks) with this URL, the connector's `webhookSecret` as " +
    "Secret, and the events Issue created and Issue updated (a JQL filter such as the kinds' projects keeps " +
    'deliveries down). Each one collects that ticket again, through the API, for every configured ticket kind.',
  authentication: { scheme: 'hmac-sha256', header: 'x-hub-signature' },
  // Jira Cloud sends `application/json; charset=UTF-8`, nothing else.
  contentTypes: ['application/json'],
  envelope,
  deliveryId: { header: 'x-atlassian-webhook-identifier' },
  event: { field: 'webhookEvent' },
  headers: {
    'x-hub-signature': 'sha256=<hex>; required (401 without)',
    'x-atlassian-webhook-identifier': 'Unique per delivery, the same on retries; required',
    'x-atlassian-webhook-retry': 'Retry count, on retries',
  },
  events: ISSUE_EVENTS,
};

import type { WebhookSenderDeclaration } from '@crosswalk/core';
import { z } from 'zod';

/** The notifications themselves are `handleWebhook`'s to read; the envelope only has to be a list of them. */
const notification = z.looseObject({
  subscriptionId: z.string().min(1).max(200),
  clientState: z.string().max(128).optional(),
  changeType: z.string().min(1).max(100).optional(),
  lifecycleEvent: z.string().min(1).max(100).optional(),
  resource: z.string().max(1000).optional(),
  tenantId: z.string().max(100).optional(),
});
const envelope = z.looseObject({ value: z.array(notification).min(1).max(1000) });

/** The change types handed to the connector; Graph's lifecycle notices are logged instead. */
export const CHANGE_TYPES = ['created', 'updated', 'deleted'] as const;
export const LIFECYCLE_NOTICES = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'] as const;

/**
 * Microsoft Graph change notifications for users (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks).
 * Creating the subscription, Graph POSTs to the URL with `?validationToken=` and no credential, and wants the token
 * back as text/plain within 10 seconds. Notifications carry no signature and no delivery id: each item of the body's
 * `value` repeats the subscription's `clientState`, the connector's `webhookSecret`; the delivery id is a digest of
 * the items' identifying fields and the hour, so Graph's retries of the same notifications are recognised. Lifecycle
 * notifications (`lifecycleEvent`, https://learn.microsoft.com/graph/change-notifications-lifecycle-events) are
 * acknowledged and logged: renewing or recreating the subscription is the operator's.
 */
export const entraSender: WebhookSenderDeclaration = {
  summary: 'Microsoft Graph change notification (users)',
  description:
    'Create a Microsoft Graph subscription to `users` (changeType `updated,deleted`) with this URL as ' +
    "notificationUrl (and lifecycleNotificationUrl), and the connector's `webhookSecret` as clientState. The " +
    'validation POST (`?validationToken=`) is answered with the token as text/plain. Each notification must carry ' +
    "the clientState; the users it names are read back from the directory audit log with the connector's own " +
    'credential (entra.user_lifecycle records). Lifecycle notifications are acknowledged and logged.',
  authentication: { scheme: 'shared-secret-in-items', items: 'value', field: 'clientState' },
  // Graph posts `application/json; charset=utf-8`.
  contentTypes: ['application/json'],
  envelope,
  deliveryId: {
    digest: {
      items: 'value',
      fields: [
        'subscriptionId',
        'tenantId',
        'changeType',
        'lifecycleEvent',
        'resource',
        'resourceData.id',
        'subscriptionExpirationDateTime',
      ],
      prefix: 'graph',
      // Two changes of one user send identical notifications; within the hour they are one read-back (which reads
      // the audit log as it is then, so both are seen), and Graph's later retries cost one more idempotent read.
      bucketSeconds: 3600,
    },
  },
  event: { items: 'value', fields: ['lifecycleEvent', 'changeType'] },
  headers: {},
  notices: LIFECYCLE_NOTICES,
  events: CHANGE_TYPES,
  challenge: {
    summary: 'Microsoft Graph subscription validation',
    description:
      'When the subscription is created (or its URL changed), Graph POSTs here with `?validationToken=` and no ' +
      'credential; the answer is 200 text/plain with the token, sent before anything else is read.',
    query: 'validationToken',
    queryDescription: 'The token to echo as text/plain (Graph subscription validation only)',
    // An opaque printable string; markup characters are refused so the echo can never be read as HTML.
    pattern: /^[\x20-\x25\x27-\x3b\x3d\x3f-\x7e]{1,1024}$/,
  },
};

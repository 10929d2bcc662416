/**
 * Microsoft Graph change notifications for users, as the loopback tenant sends them. Each body is checked against
 * the `changeNotificationCollection` shape Microsoft documents (examples/SOURCE.md: the OpenAPI subset does not
 * describe what Graph POSTs to a subscriber), so a test cannot hand the service a notification Graph would not send.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `microsoft.graph.changeNotification`: the documented properties, no others. */
const changeNotificationSchema = z
  .object({
    id: z.string().nullable().optional(),
    subscriptionId: z.string().regex(GUID),
    subscriptionExpirationDateTime: z.string().min(1),
    tenantId: z.string().regex(GUID),
    clientState: z.string().max(128).nullable().optional(),
    changeType: z.enum(['created', 'updated', 'deleted']).optional(),
    lifecycleEvent: z.enum(['subscriptionRemoved', 'missed', 'reauthorizationRequired']).optional(),
    resource: z.string().min(1).optional(),
    resourceData: z
      .object({
        '@odata.type': z.string(),
        '@odata.id': z.string(),
        '@odata.etag': z.string().optional(),
        id: z.string(),
        organizationId: z.string().regex(GUID).optional(),
      })
      .strict()
      .nullable()
      .optional(),
    encryptedContent: z.unknown().optional(),
  })
  .strict()
  .refine((item) => (item.changeType === undefined) !== (item.lifecycleEvent === undefined), {
    message: 'a notification is either a change (changeType) or a lifecycle event (lifecycleEvent)',
  });

/** `microsoft.graph.changeNotificationCollection`. */
export const changeNotificationCollectionSchema = z
  .object({
    value: z.array(changeNotificationSchema).min(1),
    validationTokens: z.array(z.string()).optional(),
  })
  .strict();

export type ChangeNotificationCollection = z.infer<typeof changeNotificationCollectionSchema>;

/** Microsoft's documented user change notification (examples/change-notification-users.json), a fresh copy. */
export function changeNotificationExample(): ChangeNotificationCollection {
  const text = readFileSync(new URL('./examples/change-notification-users.json', import.meta.url), 'utf8');
  return changeNotificationCollectionSchema.parse(JSON.parse(text));
}

/** Throws, naming the field, when a body is not one Graph would send. */
export function checkNotifications(body: unknown): ChangeNotificationCollection {
  const parsed = changeNotificationCollectionSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`not a Graph change notification: ${issue?.path.join('.')}: ${issue?.message}`);
}

/**
 * The notifications Graph sends a subscription to `users` when these users change: one item per user, each with the
 * subscription's clientState, shaped like the documented example and checked against the documented schema.
 */
export function userChangeNotifications(options: {
  subscriptionId: string;
  tenantId: string;
  clientState: string;
  changes: { userId: string; changeType: 'created' | 'updated' | 'deleted' }[];
  expiresAt?: string;
}): ChangeNotificationCollection {
  return checkNotifications({
    value: options.changes.map(({ userId, changeType }) => ({
      subscriptionId: options.subscriptionId,
      subscriptionExpirationDateTime: options.expiresAt ?? '2026-03-11T08:00:00.0000000Z',
      changeType,
      resource: `Users/${userId}`,
      resourceData: {
        '@odata.type': '#Microsoft.Graph.User',
        '@odata.id': `Users/${userId}`,
        id: userId,
        organizationId: options.tenantId,
      },
      clientState: options.clientState,
      tenantId: options.tenantId,
    })),
  });
}

/** A lifecycle notification (`reauthorizationRequired`, ...) for the subscription, checked the same way. */
export function lifecycleNotification(options: {
  subscriptionId: string;
  tenantId: string;
  clientState: string;
  lifecycleEvent: 'subscriptionRemoved' | 'missed' | 'reauthorizationRequired';
}): ChangeNotificationCollection {
  return checkNotifications({
    value: [
      {
        subscriptionId: options.subscriptionId,
        subscriptionExpirationDateTime: '2026-03-11T08:00:00.0000000Z',
        tenantId: options.tenantId,
        clientState: options.clientState,
        lifecycleEvent: options.lifecycleEvent,
      },
    ],
  });
}

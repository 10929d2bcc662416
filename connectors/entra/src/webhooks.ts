import type { WebhookDelivery, WebhookOutcome } from '@crosswalk/core';
import { OBJECT_ID } from './collectors/user-lifecycle.js';
import type { EntraConfig } from './config.js';

/** One item of a Graph change notification delivery (`changeNotification`), the fields read here. */
interface ChangeNotification {
  changeType?: string;
  resource?: string;
  resourceData?: { id?: string } | null;
}

/** How far before the delivery the audit log is read back: a change is notified within minutes of its entry. */
const READ_BACK_MS = 60 * 60 * 1000;

/** The user a notification names: `resourceData.id`, else the id in `resource` (`Users/{id}`), else none. */
function userIdOf(item: ChangeNotification): string | undefined {
  const fromData = item.resourceData?.id;
  const fromResource = /^users\/([^/]+)$/i.exec(item.resource ?? '')?.[1];
  const id = (typeof fromData === 'string' ? fromData : fromResource)?.toLowerCase();
  return id !== undefined && OBJECT_ID.test(id) ? id : undefined;
}

/**
 * Maps an authenticated Graph change notification delivery (the service checked every item's clientState and
 * answered the validation POST) to a read-back: the users it names are collected from the directory audit log by
 * `user_lifecycle` narrowed to them (`filter.userIds`), over the hour before the delivery. The evidence is what
 * Graph's API says with the connector's own credential, not what the notification claims (it carries no more than
 * an id anyway). The records are the scheduled collection's (same entry, same id), so whichever arrives second is a
 * no-op; an entry the audit log has not published yet is left to the hourly schedule. Notifications about anything
 * but users yield nothing.
 */
export function handleWebhook(delivery: WebhookDelivery, _config: Readonly<EntraConfig>): WebhookOutcome {
  const items = (delivery.payload as { value?: ChangeNotification[] } | null)?.value;
  if (!Array.isArray(items)) return { emit: [], collect: [] };
  const ids = new Set<string>();
  for (const item of items) {
    const id = item && typeof item === 'object' ? userIdOf(item) : undefined;
    if (id) ids.add(id);
  }
  if (ids.size === 0) return { emit: [], collect: [] };
  const received = Date.parse(delivery.receivedAt);
  const since = new Date(received - READ_BACK_MS).toISOString();
  const until = new Date(received + 1).toISOString();
  return {
    emit: [],
    collect: [
      { collector: 'user_lifecycle', window: { since, until }, filter: { userIds: [...ids].join(',') } },
    ],
  };
}

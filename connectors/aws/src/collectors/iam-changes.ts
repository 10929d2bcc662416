import { type Event, type LookupAttributeKey, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import type { Person } from '@crosswalk/core';
import { type CollectorDefinition, CrosswalkError, type PayloadOf } from '@crosswalk/core';
import { accountRecord, eachAccount } from '../accounts.js';
import type { AwsSession } from '../client.js';
import type { AwsConfig } from '../config.js';

type Change = PayloadOf<'aws.iam_change'>;

/**
 * The IAM calls that change who can do what: user and console-password deletion, access keys deactivated or
 * deleted, MFA devices added or removed, managed policies attached or detached, group membership removed.
 * `UpdateAccessKey` counts only when it sets a key Inactive.
 */
export const IAM_CHANGE_EVENTS = new Set([
  'DeleteUser',
  'DeleteLoginProfile',
  'UpdateAccessKey',
  'DeleteAccessKey',
  'EnableMFADevice',
  'DeactivateMFADevice',
  'CreateVirtualMFADevice',
  'DeleteVirtualMFADevice',
  'AttachUserPolicy',
  'DetachUserPolicy',
  'AttachGroupPolicy',
  'DetachGroupPolicy',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'RemoveUserFromGroup',
]);

interface TrailRecord {
  userIdentity?: {
    type?: string;
    arn?: string;
    userName?: string;
    principalId?: string;
    sessionContext?: { sessionIssuer?: { userName?: string } };
  };
  requestParameters?: Record<string, unknown> | null;
  errorCode?: string;
  sourceIPAddress?: string;
  userAgent?: string;
}

/** The caller as a person: an IAM user by name, an assumed role by its session name (an SSO user's email), root. */
export function actorOf(identity: TrailRecord['userIdentity']): Person | null {
  if (!identity) return null;
  if (identity.type === 'Root')
    return { login: '<root_account>', ...(identity.arn ? { id: identity.arn } : {}) };
  const login =
    identity.userName ?? (identity.type === 'AssumedRole' ? identity.arn?.split('/').pop() : undefined);
  if (!login) return identity.arn ? { id: identity.arn } : null;
  return {
    login,
    ...(identity.arn ? { id: identity.arn } : {}),
    ...(/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(login) ? { email: login.toLowerCase() } : {}),
  };
}

function readEvent(
  event: Event,
  session: AwsSession,
  owner: ReturnType<typeof accountRecord>,
): Change | null {
  const where = `CloudTrail event ${event.EventId ?? '?'} of account ${session.account.accountId}`;
  if (!event.EventId || !event.EventName || !event.EventTime || !event.CloudTrailEvent) {
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      `AWS CloudTrail returned ${where} without its id, name, time or record`,
      {
        where,
      },
    );
  }
  let record: TrailRecord;
  try {
    record = JSON.parse(event.CloudTrailEvent) as TrailRecord;
  } catch {
    throw new CrosswalkError('CW_SOURCE_DATA', `AWS CloudTrail returned ${where} whose record is not JSON`, {
      where,
    });
  }
  const parameters = record.requestParameters ?? null;
  const status = typeof parameters?.status === 'string' ? parameters.status : undefined;
  if (event.EventName === 'UpdateAccessKey' && status !== 'Inactive') return null;
  const actor = actorOf(record.userIdentity);
  const userName = typeof parameters?.userName === 'string' ? parameters.userName : undefined;
  const target: Person | null = userName
    ? {
        login: userName,
        ...(/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(userName) ? { email: userName.toLowerCase() } : {}),
      }
    : event.EventName.endsWith('RolePolicy') || event.EventName.endsWith('GroupPolicy')
      ? null
      : actor;
  return {
    accountId: owner.accountId,
    accountName: owner.accountName,
    eventId: event.EventId,
    eventName: event.EventName,
    action: status ? `${event.EventName}:${status}` : event.EventName,
    actor,
    actorArn: record.userIdentity?.arn ?? null,
    actorType: record.userIdentity?.type ?? null,
    target,
    requestParameters: parameters,
    errorCode: record.errorCode ?? null,
    sourceIpAddress: record.sourceIPAddress ?? null,
    userAgent: record.userAgent ?? null,
  };
}

/**
 * The pages of one LookupEvents walk over a window (CloudTrail takes one lookup attribute), each with the requests
 * behind it; a page token CloudTrail repeats is refused. Without `pageSize`, CloudTrail's default (50) applies.
 */
export async function* lookupEventPages(
  session: AwsSession,
  attribute: { key: LookupAttributeKey; value: string },
  window: { since: string; until: string },
  pageSize?: number,
): AsyncGenerator<{ events: Event[]; requests: ReturnType<AwsSession['recorder']['since']> }> {
  const trail = session.cloudTrail();
  const seenTokens = new Set<string>();
  let token: string | undefined;
  do {
    const mark = session.recorder.mark();
    const page = await session.call('CloudTrail LookupEvents', () =>
      trail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: attribute.key, AttributeValue: attribute.value }],
          StartTime: new Date(window.since),
          EndTime: new Date(window.until),
          ...(pageSize ? { MaxResults: pageSize } : {}),
          NextToken: token,
        }),
      ),
    );
    yield { events: page.Events ?? [], requests: session.recorder.since(mark) };
    token = page.NextToken;
    if (token !== undefined && seenTokens.has(token)) {
      throw new CrosswalkError('CW_SOURCE_DATA', 'AWS CloudTrail repeated a LookupEvents page token', {
        where: session.account.accountId,
      });
    }
    if (token !== undefined) seenTokens.add(token);
  } while (token !== undefined);
}

/**
 * `aws.iam_change`: per account, the IAM calls of the window that change access (IAM_CHANGE_EVENTS), from
 * CloudTrail's 90-day event history (LookupEvents on `EventSource = iam.amazonaws.com`, 50 a page, the most the
 * API serves; IAM is global and CloudTrail records it in us-east-1). Each record names the caller and the user
 * changed; failed calls are kept (they show an attempt) but remove nothing in the deprovisioning joins.
 */
export const iamChanges: CollectorDefinition<AwsConfig> = {
  id: 'iam_changes',
  kind: 'aws.iam_change',
  description:
    'IAM change events from CloudTrail: deletions, key deactivations, MFA and policy changes, by whom',
  sourceRetentionDays: 90,
  async collect(ctx) {
    await eachAccount(ctx, async (session) => {
      const owner = accountRecord(ctx, session);
      let emitted = 0;
      const pages = lookupEventPages(
        session,
        { key: 'EventSource', value: 'iam.amazonaws.com' },
        ctx.window,
        session.settings.lookupEventsPageSize,
      );
      for await (const { events, requests } of pages) {
        for (const event of events) {
          if (!event.EventName || !IAM_CHANGE_EVENTS.has(event.EventName)) continue;
          // EndTime is inclusive in CloudTrail; the window's end is not.
          if (event.EventTime && event.EventTime.getTime() >= Date.parse(ctx.window.until)) continue;
          const change = readEvent(event, session, owner);
          if (!change) continue;
          await ctx.emit({
            kind: 'aws.iam_change',
            occurredAt: event.EventTime!.toISOString(),
            owner: owner.owner,
            actors: [
              ...(change.actor ? [{ role: 'actor', person: change.actor }] : []),
              ...(change.target ? [{ role: 'subject', person: change.target }] : []),
            ],
            source: {
              system: 'aws',
              instance: session.account.accountId,
              ref: `${session.account.accountId}:cloudtrail/${change.eventId}`,
              url: `https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/${change.eventId}`,
            },
            payload: change,
            requests,
          });
          emitted += 1;
        }
      }
      ctx.log.info({ accountId: session.account.accountId, changes: emitted }, 'IAM changes collected');
    });
  },
};

import {
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  type GroupDetail,
  type UserDetail,
} from '@aws-sdk/client-iam';
import { looksLikeEmail, snapshotDay } from '@crosswalk/connector-kit';
import { type CollectorDefinition, CrosswalkError } from '@crosswalk/core';
import { accountRecord, eachAccount } from '../accounts.js';
import type { AwsSession } from '../client.js';
import type { AwsConfig } from '../config.js';

const ADMINISTRATOR = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** Every user and group with their policies: GetAccountAuthorizationDetails, up to 1,000 entities a page. */
async function authorizationDetails(session: AwsSession) {
  const iam = session.iam();
  const users: UserDetail[] = [];
  const groups: GroupDetail[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await session.call('IAM GetAccountAuthorizationDetails', () =>
      iam.send(
        new GetAccountAuthorizationDetailsCommand({
          Filter: ['User', 'Group'],
          MaxItems: session.settings.authorizationDetailsPageSize,
          Marker: marker,
        }),
      ),
    );
    users.push(...(page.UserDetailList ?? []));
    groups.push(...(page.GroupDetailList ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
    if (marker !== undefined && seen.has(marker)) {
      throw new CrosswalkError(
        'CW_SOURCE_DATA',
        'AWS IAM repeated a page marker of GetAccountAuthorizationDetails',
        {
          where: session.account.accountId,
        },
      );
    }
    if (marker !== undefined) seen.add(marker);
  } while (marker !== undefined);
  return { users, groups };
}

const policies = (list: { PolicyName?: string; PolicyArn?: string }[] | undefined) =>
  (list ?? [])
    .map((p) => ({ name: p.PolicyName ?? '', arn: p.PolicyArn ?? '' }))
    .sort((a, b) => a.arn.localeCompare(b.arn));

/**
 * `aws.users_snapshot`: per account, every IAM user with its groups and attached and inline policies, every group
 * with its policies, and the root user's MFA and access keys (GetAccountSummary): who can do what in the account,
 * the population a user access review and the leaver join read.
 */
export const usersSnapshot: CollectorDefinition<AwsConfig> = {
  id: 'users_snapshot',
  kind: 'aws.users_snapshot',
  description: 'Daily snapshot per account: IAM users, groups, attached policies, root MFA and keys',
  async collect(ctx) {
    await eachAccount(ctx, async (session) => {
      const mark = session.recorder.mark();
      const details = await authorizationDetails(session);
      const iam = session.iam();
      const summary = await session.call('IAM GetAccountSummary', () =>
        iam.send(new GetAccountSummaryCommand({})),
      );
      const summaryMap = Object.fromEntries(
        Object.entries(summary.SummaryMap ?? {}).filter(([, v]) => typeof v === 'number'),
      );
      const groups = details.groups
        .map((g) => ({
          groupName: g.GroupName ?? '',
          groupId: g.GroupId ?? '',
          arn: g.Arn ?? '',
          attachedPolicies: policies(g.AttachedManagedPolicies),
          inlinePolicies: (g.GroupPolicyList ?? []).map((p) => p.PolicyName ?? '').sort(),
        }))
        .sort((a, b) => a.groupName.localeCompare(b.groupName));
      const users = details.users
        .map((u) => {
          const name = u.UserName ?? '';
          return {
            person: {
              login: name,
              id: u.UserId ?? name,
              ...(looksLikeEmail(name) ? { email: name.toLowerCase() } : {}),
            },
            userName: name,
            userId: u.UserId ?? '',
            arn: u.Arn ?? '',
            path: u.Path ?? '/',
            createdAt: (u.CreateDate ?? new Date(0)).toISOString(),
            groups: [...(u.GroupList ?? [])].sort(),
            attachedPolicies: policies(u.AttachedManagedPolicies),
            inlinePolicies: (u.UserPolicyList ?? []).map((p) => p.PolicyName ?? '').sort(),
          };
        })
        .sort((a, b) => a.userName.localeCompare(b.userName));
      const adminGroups = new Set(
        groups.filter((g) => g.attachedPolicies.some((p) => p.arn === ADMINISTRATOR)).map((g) => g.groupName),
      );
      const administrators = users.filter(
        (u) =>
          u.attachedPolicies.some((p) => p.arn === ADMINISTRATOR) || u.groups.some((g) => adminGroups.has(g)),
      ).length;
      const { owner, ...account } = accountRecord(ctx, session);
      await ctx.emit({
        kind: 'aws.users_snapshot',
        occurredAt: snapshotDay(ctx.clock.now()),
        owner,
        actors: [],
        source: {
          system: 'aws',
          instance: session.account.accountId,
          ref: `${session.account.accountId}:iam-users`,
          url: 'https://console.aws.amazon.com/iam/home#/users',
        },
        payload: {
          ...account,
          users,
          groups,
          root: {
            mfaEnabled: summaryMap.AccountMFAEnabled === 1,
            accessKeysPresent: (summaryMap.AccountAccessKeysPresent ?? 0) > 0,
          },
          summary: summaryMap,
          counts: { users: users.length, groups: groups.length, administrators },
        },
        requests: session.recorder.since(mark),
      });
      ctx.log.info({ accountId: session.account.accountId, users: users.length }, 'IAM users snapshot taken');
    });
  },
};

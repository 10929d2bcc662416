import { ListUsersCommand, type User } from '@aws-sdk/client-identitystore';
import {
  type AccountAssignment,
  DescribePermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListPermissionSetsProvisionedToAccountCommand,
} from '@aws-sdk/client-sso-admin';
import { looksLikeEmail, snapshotDay } from '@crosswalk/connector-kit';
import { type CollectorDefinition, CrosswalkError, type Person } from '@crosswalk/core';
import { AwsSession } from '../client.js';
import type { AwsConfig } from '../config.js';

/** Every page of a NextToken list, refusing a token the service repeats. */
async function allPages<Page extends { NextToken?: string | undefined }>(
  session: AwsSession,
  what: string,
  read: (token: string | undefined) => Promise<Page>,
): Promise<Page[]> {
  const pages: Page[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await session.call(what, () => read(token));
    pages.push(page);
    token = page.NextToken;
    if (token !== undefined && seen.has(token)) {
      throw new CrosswalkError('CW_SOURCE_DATA', `AWS repeated a page token of ${what}`, { where: what });
    }
    if (token !== undefined) seen.add(token);
  } while (token !== undefined);
  return pages;
}

function personOf(user: User): Person {
  const email = user.Emails?.find((e) => e.Primary)?.Value ?? user.Emails?.[0]?.Value;
  return {
    id: user.UserId!,
    ...(user.UserName ? { login: user.UserName } : {}),
    ...(looksLikeEmail(email) ? { email: email.toLowerCase() } : {}),
    ...(user.DisplayName ? { name: user.DisplayName } : {}),
  };
}

/**
 * `aws.identity_center_snapshot`: where IAM Identity Center is configured, its users (identity store ListUsers) and,
 * for every configured account, who holds which permission set there (sso-admin: the permission sets provisioned to
 * the account, each one's name and its assignments). Read with the credentials of `identityCenter.account`.
 */
export const identityCenterSnapshot: CollectorDefinition<AwsConfig> = {
  id: 'identity_center_snapshot',
  kind: 'aws.identity_center_snapshot',
  description: 'Daily snapshot of IAM Identity Center users and permission-set assignments per account',
  async collect(ctx) {
    const center = ctx.config.identityCenter;
    if (!center) {
      ctx.log.info({}, 'IAM Identity Center is not configured; nothing to read');
      return;
    }
    const account = ctx.config.accounts.find((a) => a.accountId === center.account)!;
    const session = new AwsSession(ctx.config, account, { log: ctx.log, signal: ctx.signal });
    const region = center.region ?? ctx.config.region;
    const store = session.identityStore(region);
    const admin = session.ssoAdmin(region);
    const userPages = await allPages(session, 'IdentityStore ListUsers', (NextToken) =>
      store.send(
        new ListUsersCommand({ IdentityStoreId: center.identityStoreId, MaxResults: 100, NextToken }),
      ),
    );
    const users = userPages
      .flatMap((page) => page.Users ?? [])
      .map((user) => ({
        person: personOf(user),
        userId: user.UserId!,
        userName: user.UserName ?? null,
        displayName: user.DisplayName ?? null,
        email: personOf(user).email ?? null,
      }))
      .sort((a, b) => a.userId.localeCompare(b.userId));
    const byId = new Map(users.map((u) => [u.userId, u.person]));
    const names = new Map<string, string | null>();
    const assignments: AccountAssignment[] = [];
    for (const { accountId } of ctx.config.accounts) {
      const sets = await allPages(session, 'SSOAdmin ListPermissionSetsProvisionedToAccount', (NextToken) =>
        admin.send(
          new ListPermissionSetsProvisionedToAccountCommand({
            InstanceArn: center.instanceArn,
            AccountId: accountId,
            NextToken,
          }),
        ),
      );
      for (const arn of sets.flatMap((page) => page.PermissionSets ?? [])) {
        if (!names.has(arn)) {
          const described = await session.call('SSOAdmin DescribePermissionSet', () =>
            admin.send(
              new DescribePermissionSetCommand({ InstanceArn: center.instanceArn, PermissionSetArn: arn }),
            ),
          );
          names.set(arn, described.PermissionSet?.Name ?? null);
        }
        const held = await allPages(session, 'SSOAdmin ListAccountAssignments', (NextToken) =>
          admin.send(
            new ListAccountAssignmentsCommand({
              InstanceArn: center.instanceArn,
              AccountId: accountId,
              PermissionSetArn: arn,
              NextToken,
            }),
          ),
        );
        assignments.push(...held.flatMap((page) => page.AccountAssignments ?? []));
      }
    }
    const rows = assignments
      .map((a) => ({
        accountId: a.AccountId ?? '',
        permissionSetArn: a.PermissionSetArn ?? '',
        permissionSetName: names.get(a.PermissionSetArn ?? '') ?? null,
        principalType: a.PrincipalType === 'GROUP' ? ('GROUP' as const) : ('USER' as const),
        principalId: a.PrincipalId ?? '',
        person: a.PrincipalType === 'USER' ? (byId.get(a.PrincipalId ?? '') ?? null) : null,
      }))
      .sort(
        (a, b) =>
          a.accountId.localeCompare(b.accountId) ||
          a.permissionSetArn.localeCompare(b.permissionSetArn) ||
          a.principalId.localeCompare(b.principalId),
      );
    await ctx.emit({
      kind: 'aws.identity_center_snapshot',
      occurredAt: snapshotDay(ctx.clock.now()),
      owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
      actors: [],
      source: {
        system: 'aws',
        instance: center.instanceArn,
        ref: `${center.instanceArn}:assignments`,
        url: `https://${region}.console.aws.amazon.com/singlesignon/home?region=${region}#/instances`,
      },
      payload: {
        instanceArn: center.instanceArn,
        identityStoreId: center.identityStoreId,
        users,
        assignments: rows,
        counts: { users: users.length, assignments: rows.length },
      },
      requests: session.recorder.entries.slice(),
    });
    ctx.log.info({ users: users.length, assignments: rows.length }, 'Identity Center snapshot taken');
  },
};

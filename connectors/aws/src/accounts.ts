import type { CollectorContext } from '@crosswalk/core';
import { AwsSession } from './client.js';
import type { AwsConfig } from './config.js';

/** The record fields every per-account record shares: who owns it and which account it is about. */
export function accountRecord(ctx: CollectorContext<AwsConfig>, session: AwsSession) {
  return {
    owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
    accountId: session.account.accountId,
    accountName: session.account.name ?? null,
  };
}

/**
 * Runs `read` for every configured account in turn, each with its own session (its role assumed when it names
 * one). Accounts are read one after another: each has its own IAM and CloudTrail request budget, but the
 * connector's base credentials and STS are shared.
 */
export async function eachAccount(
  ctx: CollectorContext<AwsConfig>,
  read: (session: AwsSession) => Promise<void>,
): Promise<void> {
  for (const account of ctx.config.accounts) {
    await read(new AwsSession(ctx.config, account, { log: ctx.log, signal: ctx.signal }));
  }
}

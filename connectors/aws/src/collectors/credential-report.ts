import { GenerateCredentialReportCommand, GetCredentialReportCommand } from '@aws-sdk/client-iam';
import { abortableSleep } from '@crosswalk/connector-kit';
import { type CollectorDefinition, CrosswalkError } from '@crosswalk/core';
import { accountRecord, eachAccount } from '../accounts.js';
import type { AwsSession } from '../client.js';
import type { AwsConfig } from '../config.js';
import { type CredentialRow, parseCredentialReport } from '../credential-report.js';

const DAY_MS = 86_400_000;

/** Asks IAM for a fresh report and waits while it writes one (GenerateCredentialReport answers STARTED, INPROGRESS). */
async function generate(session: AwsSession, signal: AbortSignal | undefined): Promise<void> {
  const iam = session.iam();
  const { reportPollMs: pollMs, reportMaxWaitSeconds: maxWait } = session.settings;
  const deadline = Date.now() + maxWait * 1000;
  for (;;) {
    const answer = await session.call('IAM GenerateCredentialReport', () =>
      iam.send(new GenerateCredentialReportCommand({})),
    );
    if (answer.State === 'COMPLETE') return;
    if (Date.now() + pollMs > deadline) {
      throw new CrosswalkError(
        'CW_SOURCE_UNAVAILABLE',
        `AWS IAM had not finished the credential report of account ${session.account.accountId} after ${maxWait}s`,
        { where: session.account.accountId },
      );
    }
    await abortableSleep(pollMs, signal);
  }
}

function counts(root: CredentialRow, users: CredentialRow[], generatedAt: string) {
  const cutoff = Date.parse(generatedAt) - 90 * DAY_MS;
  const keys = users.flatMap((u) => u.accessKeys).filter((k) => k.active);
  return {
    users: users.length,
    passwordEnabled: users.filter((u) => u.passwordEnabled).length,
    passwordWithoutMfa: users.filter((u) => u.passwordEnabled && !u.mfaActive).length,
    activeAccessKeys: keys.length,
    activeKeysOlderThan90Days: keys.filter((k) => Date.parse(k.lastRotated) < cutoff).length,
    activeKeysUnused90Days: keys.filter((k) => k.lastUsed === null || Date.parse(k.lastUsed) < cutoff).length,
    rootMfaActive: root.mfaActive,
    rootActiveAccessKeys: root.accessKeys.filter((k) => k.active).length,
  };
}

/**
 * `aws.credential_report`: per account, IAM's credential report read strictly: every user's password (enabled,
 * last used, last changed), MFA, both access keys (active, last rotated, last used where and for what), and the
 * root user's row. The report is the one IAM generates on request (GenerateCredentialReport, then
 * GetCredentialReport); IAM reuses a report up to four hours old, whose own time is the record's `generatedAt`.
 */
export const credentialReport: CollectorDefinition<AwsConfig> = {
  id: 'credential_report',
  kind: 'aws.credential_report',
  description: 'Daily IAM credential report per account: password and access-key age and last use, MFA, root',
  async collect(ctx) {
    await eachAccount(ctx, async (session) => {
      const mark = session.recorder.mark();
      await generate(session, ctx.signal);
      const iam = session.iam();
      const report = await session.call('IAM GetCredentialReport', () =>
        iam.send(new GetCredentialReportCommand({})),
      );
      const where = `the credential report of account ${session.account.accountId}`;
      if (
        !report.Content ||
        !report.GeneratedTime ||
        (report.ReportFormat && report.ReportFormat !== 'text/csv')
      ) {
        throw new CrosswalkError(
          'CW_SOURCE_DATA',
          `AWS IAM returned ${where} without content, time or as ${report.ReportFormat}`,
          {
            where,
          },
        );
      }
      const { root, users } = parseCredentialReport(
        Buffer.from(report.Content).toString('utf8'),
        session.account.accountId,
      );
      const generatedAt = report.GeneratedTime.toISOString();
      const { owner, ...account } = accountRecord(ctx, session);
      await ctx.emit({
        kind: 'aws.credential_report',
        occurredAt: generatedAt,
        owner,
        actors: [],
        source: {
          system: 'aws',
          instance: session.account.accountId,
          ref: `${session.account.accountId}:credential-report/${generatedAt}`,
          url: 'https://console.aws.amazon.com/iam/home#/credential_report',
        },
        payload: { ...account, generatedAt, root, users, counts: counts(root, users, generatedAt) },
        requests: session.recorder.since(mark),
      });
      ctx.log.info({ accountId: session.account.accountId, users: users.length }, 'credential report read');
    });
  },
};

import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetAccountSummaryCommand, IAMClient } from '@aws-sdk/client-iam';
import { closedAfterEach } from '@crosswalk/connector-testkit';
import { describe, expect, it } from 'vitest';
import { awsConnector } from '../src/index.js';
import {
  ACCESS_KEY_ID,
  collect,
  configFor,
  gitBlobId,
  MODEL_FILES,
  type ModelName,
  modelBytes,
  SECRET_ACCESS_KEY,
  smithyModel,
  startFake,
} from './helpers.js';

const CALLED: Record<ModelName, string[]> = {
  iam: [
    'GenerateCredentialReport',
    'GetCredentialReport',
    'GetAccountAuthorizationDetails',
    'GetAccountSummary',
  ],
  cloudtrail: ['LookupEvents'],
  identitystore: ['ListUsers'],
  ssoAdmin: ['ListPermissionSetsProvisionedToAccount', 'DescribePermissionSet', 'ListAccountAssignments'],
};

/** The fake is only worth its answers: these prove they are AWS's modelled shapes, and that the checks can fail. */
describe("AWS's service models", () => {
  it.each(Object.keys(MODEL_FILES) as ModelName[])('%s is the file AWS published, byte for byte', (name) => {
    expect(gitBlobId(modelBytes(name))).toBe(MODEL_FILES[name].blob);
  });

  it.each(Object.entries(CALLED))('%s models every operation the connector calls', (name, operations) => {
    const model = smithyModel(name as ModelName);
    for (const operation of operations) expect(model.operation(operation), operation).toBeDefined();
  });
});

describe('the checker', () => {
  const lookup = smithyModel('cloudtrail').operation('LookupEvents')!;
  const iam = smithyModel('iam');

  it('accepts a modelled answer', () => {
    expect(
      smithyModel('cloudtrail').check(
        lookup.output,
        { Events: [{ EventId: 'e1', EventTime: new Date() }] },
        'answer',
      ),
    ).toEqual([]);
  });

  it('rejects an answer with a member the model does not have, a wrong type or an enum value off the list', () => {
    expect(
      smithyModel('cloudtrail').check(
        lookup.output,
        { Events: [{ EventId: 'e1', EventTime: '2026-03-01', Actor: 'x' }] },
        'answer',
      ),
    ).toEqual(['answer.Events[0].EventTime: must be a time', 'answer.Events[0]: Event has no member Actor']);
    const generate = iam.operation('GenerateCredentialReport')!;
    expect(iam.check(generate.output, { State: 'DONE' }, 'answer')).toEqual([
      'answer.State: "DONE" is not one of STARTED, INPROGRESS, COMPLETE',
    ]);
    const summary = iam.operation('GetAccountSummary')!;
    expect(iam.check(summary.output, { SummaryMap: { Admins: 1 } }, 'answer')[0]).toMatch(
      /answer.SummaryMap key: "Admins" is not one of Users/,
    );
    const users = iam.operation('GetAccountAuthorizationDetails')!;
    expect(iam.check(users.input, { MaxItems: 1001 }, 'request')).toEqual([
      'request.MaxItems: must be at most 1000',
    ]);
  });

  it('rejects a required member left out', () => {
    const list = smithyModel('identitystore').operation('ListUsers')!;
    expect(smithyModel('identitystore').check(list.output, { Users: [{ UserName: 'a' }] }, 'answer')).toEqual(
      [
        'answer.Users[0]: required member UserId is missing',
        'answer.Users[0]: required member IdentityStoreId is missing',
      ],
    );
  });
});

describe('the loopback AWS', () => {
  const start = closedAfterEach(startFake);

  it("answers every collector in each service's protocol with nothing off the models", async () => {
    const fake = await start();
    for (const collector of awsConnector.collectors) {
      const result = await collect(collector, configFor(fake));
      expect(result.error, collector.id).toBeUndefined();
    }
    const types = new Set(fake.requests.map((r) => `${r.headers['content-type']}`));
    expect([...types].sort()).toEqual(['application/x-amz-json-1.1', 'application/x-www-form-urlencoded']);
    expect(fake.violations).toEqual([]);
  });

  it('records a request the model refuses: LookupEvents asking for more than 50 a page', async () => {
    const fake = await start();
    const client = new CloudTrailClient({
      region: 'us-east-1',
      endpoint: fake.url,
      maxAttempts: 1,
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    });
    await expect(client.send(new LookupEventsCommand({ MaxResults: 51 }))).rejects.toThrow();
    expect(fake.violations).toEqual(['cloudtrail LookupEvents request.MaxResults: must be at most 50']);
    fake.violations.length = 0;
  });

  it('answers IAM in XML the SDK reads back to the same values', async () => {
    const fake = await start();
    const client = new IAMClient({
      region: 'us-east-1',
      endpoint: fake.url,
      maxAttempts: 1,
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    });
    const summary = await client.send(new GetAccountSummaryCommand({}));
    expect(summary.SummaryMap).toEqual({
      Users: 3,
      Groups: 2,
      AccountMFAEnabled: 1,
      AccountAccessKeysPresent: 0,
      MFADevicesInUse: 2,
    });
    expect(fake.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });
});

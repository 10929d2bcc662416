import { closedAfterEach } from '@crosswalk/connector-testkit';
import { describe, expect, it } from 'vitest';
import { completedDays, signIns } from '../src/collectors/sign-ins.js';
import { collect, configFor, contoso, people, startFake } from './helpers.js';

const start = closedAfterEach(startFake);

describe('entra.sign_in_summary', () => {
  it('summarises each UTC day that ended in the window, once', () => {
    expect(completedDays('2026-03-05T00:00:00.000Z', '2026-03-08T00:00:00.000Z')).toEqual([
      '2026-03-05',
      '2026-03-06',
      '2026-03-07',
    ]);
    // An hourly-overlapped daily window: only the day that ended inside it.
    expect(completedDays('2026-03-07T05:30:00.000Z', '2026-03-08T06:30:00.000Z')).toEqual(['2026-03-07']);
    expect(completedDays('2026-03-08T01:00:00.000Z', '2026-03-08T06:30:00.000Z')).toEqual([]);
  });

  it('aggregates a day of sign-ins: successes no MFA policy covered, and the users concerned', async () => {
    const fake = await start(contoso());
    const { records, error, cursor } = await collect(
      signIns,
      configFor(fake, { requests: { pageSize: 2, retryBaseDelayMs: 10 } }),
      {
        window: { since: '2026-03-06T00:00:00.000Z', until: '2026-03-08T06:00:00.000Z' },
      },
    );
    expect(error).toBeUndefined();
    expect(records.map((r) => r.occurredAt)).toEqual([
      '2026-03-06T00:00:00.000Z',
      '2026-03-07T00:00:00.000Z',
    ]);
    const [day6, day7] = records.map((r) => r.payload as never as Record<string, unknown>);
    expect(day6).toMatchObject({
      day: '2026-03-06',
      signIns: 5,
      successful: 4,
      failed: 1,
      successfulWithoutMfaPolicy: 2,
      usersSignedIn: 3,
      byConditionalAccessStatus: { success: 2, notApplied: 3 },
    });
    expect(day6!.usersWithoutMfaPolicy).toEqual([
      {
        person: { id: people.bob.id, login: people.bob.userPrincipalName, name: people.bob.displayName },
        signIns: 2,
      },
    ]);
    expect(day7).toMatchObject({
      day: '2026-03-07',
      signIns: 1,
      successfulWithoutMfaPolicy: 0,
      usersWithoutMfaPolicy: [],
    });
    // Pages of two, by @odata.nextLink: 5 sign-ins on the 6th take three requests.
    expect(fake.received('/auditLogs/signIns').length).toBe(3 + 1);
    expect(cursor).toMatchObject({ licence: 'available', lastDay: '2026-03-07' });
  });

  it('stores nothing without the licence, says why, and does not fail the run', async () => {
    const fake = await start(contoso({ premium: false }));
    const { records, error, cursor, logs } = await collect(signIns, configFor(fake));
    expect(error).toBeUndefined();
    expect(records).toEqual([]);
    expect(cursor).toMatchObject({ licence: 'not_available' });
    expect((cursor as { reason: string }).reason).toContain('no licence for sign-in logs');
    expect(logs.some((line) => line.message.startsWith('sign-ins not collected'))).toBe(true);
  });
});

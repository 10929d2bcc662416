import { closedAfterEach } from '@crosswalk/connector-testkit';
import { describe, expect, it } from 'vitest';
import { accessReviews } from '../src/collectors/access-reviews.js';
import { collect, configFor, contoso, people, salesforceReview, startFake, TENANT_ID } from './helpers.js';

const start = closedAfterEach(startFake);

interface ReviewPayload {
  definition: { displayName: string; autoApplyDecisionsEnabled: boolean; createdBy: { login: string } };
  instance: { status: string; endDateTime: string };
  decisions: {
    principal: { login: string };
    decision: string;
    reviewedBy: { login: string } | null;
    denyApplied: boolean | null;
    appliedDateTime: string | null;
  }[];
  facts: Record<string, number | boolean>;
}

describe('entra.access_review', () => {
  it('records the ended instance of the window with every decision, and which denies were applied', async () => {
    const fake = await start(contoso());
    const { records, error, cursor } = await collect(accessReviews, configFor(fake));
    expect(error).toBeUndefined();
    // The December instance ended before the window (and its grace), the March one after 03-06 is still running.
    expect(records).toHaveLength(1);
    const record = records[0]!;
    const { ended, definition } = salesforceReview();
    expect(record.occurredAt).toBe('2026-03-05T00:00:00.000Z');
    expect(record.source).toEqual({
      system: 'entra',
      instance: TENANT_ID,
      ref: ended.id,
      url: `${fake.url}/identityGovernance/accessReviews/definitions/${definition.id}/instances/${ended.id}`,
    });
    const payload = record.payload as never as ReviewPayload;
    expect(payload.definition.displayName).toBe('Salesforce access');
    expect(payload.definition.createdBy.login).toBe(people.carol.userPrincipalName);
    expect(payload.instance.status).toBe('Applied');
    const { alice, bob, carol, dave, erin } = people;
    expect(
      payload.decisions.map((d) => [
        d.principal.login,
        d.decision,
        d.reviewedBy?.login ?? null,
        d.denyApplied,
        d.appliedDateTime,
      ]),
    ).toEqual([
      [alice.userPrincipalName, 'Approve', carol.userPrincipalName, null, null],
      [bob.userPrincipalName, 'Deny', carol.userPrincipalName, true, '2026-03-05T00:12:00.000Z'],
      [dave.userPrincipalName, 'Deny', carol.userPrincipalName, false, null],
      [erin.userPrincipalName, 'NotReviewed', null, null, null],
    ]);
    expect(payload.facts).toEqual({
      decisions: 4,
      approved: 1,
      denied: 2,
      notReviewed: 1,
      dontKnow: 0,
      allReviewed: false,
      deniedAndApplied: 1,
      deniedNotApplied: 1,
    });
    expect(record.owner.people).toEqual([
      { id: carol.id, login: carol.userPrincipalName, name: carol.displayName },
    ]);
    expect(cursor).toMatchObject({ licence: 'available' });
  });

  it('stores nothing in a tenant without the licence, says why, and does not fail', async () => {
    const fake = await start(contoso({ governance: false }));
    const { records, error, cursor, logs } = await collect(accessReviews, configFor(fake));
    expect(error).toBeUndefined();
    expect(records).toEqual([]);
    expect(cursor).toMatchObject({ licence: 'not_available' });
    expect((cursor as { reason: string }).reason).toContain('no licence for access reviews');
    expect(logs.some((line) => line.message.includes('access reviews not collected'))).toBe(true);
  });

  it('fails, naming the permission, when the app may not read access reviews', async () => {
    const fake = await start(contoso(), {
      app: {
        clientId: (await import('./helpers.js')).CLIENT_ID,
        clientSecret: (await import('./helpers.js')).CLIENT_SECRET,
        permissions: ['User.Read.All'],
      },
    });
    const { error } = await collect(accessReviews, configFor(fake));
    expect(String(error)).toContain('AccessReview.Read.All');
  });
});

import { closedAfterEach } from '@crosswalk/connector-testkit';
import { isCrosswalkError, type PayloadOf } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import {
  accessReviewTickets,
  deprovisioningTickets,
  provisioningTickets,
  windowedJql,
} from '../src/collectors/tickets.js';
import { jiraTime, subjectOf } from '../src/tickets.js';
import {
  acmeSite,
  collect,
  configFor,
  DEPROVISIONING_JQL,
  LEAVER_FIELD,
  people,
  startFakeJira,
  WINDOW,
} from './helpers.js';

type Ticket = PayloadOf<'jira.deprovisioning_ticket'>;

const fake = closedAfterEach((siteOverrides: Parameters<typeof acmeSite>[0] = {}) =>
  startFakeJira(acmeSite(siteOverrides)),
);

const byKey = (records: { source: { ref: string }; payload: unknown }[], key: string) =>
  records.find((r) => r.source.ref === key)!.payload as Ticket;

describe('the ticket collectors', () => {
  describe('deciding which tickets belong to the window', () => {
    it('records the tickets the JQL selects that were resolved in the window, at their resolution time', async () => {
      const server = await fake();
      const result = await collect(deprovisioningTickets, configFor(server));
      expect(result.error).toBeUndefined();
      expect(result.records.map((r) => [r.source.ref, r.occurredAt])).toEqual([
        ['IT-8', '2026-03-01T12:00:00.000Z'],
        ['IT-1', '2026-03-02T15:00:00.000Z'],
        ['IT-3', '2026-03-04T18:30:00.000Z'],
        ['IT-2', '2026-03-05T12:00:00.000Z'],
        ['IT-6', '2026-03-07T23:30:00.000Z'],
      ]);
      for (const record of result.records) {
        expect(record.kind).toBe('jira.deprovisioning_ticket');
        expect(record.source).toMatchObject({ system: 'jira', instance: new URL(server.url).host });
        expect(record.source.url).toBe(`${server.url}/browse/${record.source.ref}`);
      }
      expect(result.cursor).toEqual({ lastResolvedAt: '2026-03-07T23:30:00.000Z' });
    });

    it('asks Jira for a day more on each side, since JQL compares local minutes, and applies the window exactly', async () => {
      const server = await fake();
      await collect(deprovisioningTickets, configFor(server));
      const jql = (server.received('/rest/api/3/search/jql')[0]!.body as { jql: string }).jql;
      expect(jql).toBe(
        `(${DEPROVISIONING_JQL}) AND resolved >= "2026/02/28 00:00" AND resolved < "2026/03/09 00:00" ORDER BY resolved ASC, key ASC`,
      );
      expect(windowedJql('project = X', Date.parse(WINDOW.since), Date.parse(WINDOW.until))).toContain(
        '"2026/02/28 00:00"',
      );
    });

    it('follows nextPageToken to the last page', async () => {
      const server = await fake({ maxPageSize: 2 });
      const result = await collect(deprovisioningTickets, configFor(server));
      expect(result.records).toHaveLength(5);
      const searches = server.received('/rest/api/3/search/jql');
      // Six tickets match the widened JQL (IT-7 resolved just after the window): three pages of two.
      expect(searches).toHaveLength(3);
      expect((searches[0]!.body as { nextPageToken?: string }).nextPageToken).toBeUndefined();
      expect((searches[1]!.body as { nextPageToken?: string }).nextPageToken).toEqual(expect.any(String));
      // Each record cites the search page that returned it, not every page.
      for (const record of result.records) {
        expect(record.provenance.requests.filter((r) => r.path === '/rest/api/3/search/jql')).toHaveLength(1);
      }
    });
  });

  describe('reading a ticket', () => {
    it('reads created and resolved times in any zone Jira writes them, and who reported, handled and resolved it', async () => {
      const server = await fake();
      const result = await collect(deprovisioningTickets, configFor(server));
      const ticket = byKey(result.records, 'IT-1');
      expect(ticket).toMatchObject({
        key: 'IT-1',
        project: 'IT',
        issueType: 'Offboarding',
        summary: 'Offboard dave@acme.example',
        status: 'Done',
        statusCategory: 'done',
        resolution: 'Done',
        createdAt: '2026-03-02T09:00:00.000Z',
        resolvedAt: '2026-03-02T15:00:00.000Z',
        reporter: { id: people.bob.accountId, name: 'Bob Manager', email: 'bob@acme.example' },
        assignee: { id: people.alice.accountId, name: 'Alice Admin' },
        resolvedBy: { id: people.alice.accountId, name: 'Alice Admin' },
        approver: { id: people.alice.accountId, name: 'Alice Admin' },
        approvedAt: '2026-03-02T15:00:00.000Z',
        approvedStatus: 'Done',
        approvedByReporter: false,
      });
      expect(ticket.statusHistory).toEqual([
        {
          from: 'Open',
          to: 'In Progress',
          at: '2026-03-02T14:00:00.000Z',
          by: { id: people.alice.accountId, name: 'Alice Admin' },
        },
        {
          from: 'In Progress',
          to: 'Done',
          at: '2026-03-02T15:00:00.000Z',
          by: { id: people.alice.accountId, name: 'Alice Admin' },
        },
      ]);
      const record = result.records.find((r) => r.source.ref === 'IT-1')!;
      expect(record.owner).toEqual({
        people: [{ id: people.alice.accountId, name: 'Alice Admin' }],
        controlOwner: 'secops@acme.example',
      });
      expect(record.actors.map((a) => a.role)).toEqual([
        'reporter',
        'assignee',
        'subject',
        'approver',
        'resolver',
      ]);
    });

    it('takes the user concerned from the configured field, falling back to the summary pattern', async () => {
      const server = await fake();
      const result = await collect(deprovisioningTickets, configFor(server));
      expect(byKey(result.records, 'IT-1')).toMatchObject({
        subject: { email: 'dave@acme.example' },
        subjectSource: 'summary',
      });
      expect(byKey(result.records, 'IT-2')).toMatchObject({
        subject: { id: people.erin.accountId, email: 'erin@acme.example', name: 'Erin Leaver' },
        subjectSource: 'field',
      });
      // Jira hides most people's email from API tokens: the account id is what remains to map.
      expect(byKey(result.records, 'IT-3')).toMatchObject({
        subject: { id: people.henry.accountId, name: 'Henry Hidden' },
        subjectSource: 'field',
      });
    });

    it('reads the rest of a history the search answer cut short from the paginated changelog', async () => {
      const server = await fake({ changelogInSearch: 20 });
      const result = await collect(
        deprovisioningTickets,
        configFor(server, { requests: { changelogPageSize: 7 } }),
      );
      const ticket = byKey(result.records, 'IT-8');
      expect(ticket.statusHistory.map((s) => s.to)).toEqual(['In Progress', 'Done']);
      expect(ticket.approver).toEqual({ id: people.carol.accountId, name: 'Carol Approver' });
      const pages = server.received(/\/changelog$/);
      // 32 entries in pages of 7: five pages, only for the ticket whose history did not fit.
      expect(pages.map((p) => p.path)).toEqual(Array(5).fill('/rest/api/3/issue/IT-8/changelog'));
      const record = result.records.find((r) => r.source.ref === 'IT-8')!;
      expect(record.provenance.requests.map((r) => r.path)).toEqual([
        '/rest/api/3/search/jql',
        '/rest/api/3/issue/IT-8/changelog?startAt=0&maxResults=7',
        '/rest/api/3/issue/IT-8/changelog?startAt=7&maxResults=7',
        '/rest/api/3/issue/IT-8/changelog?startAt=14&maxResults=7',
        '/rest/api/3/issue/IT-8/changelog?startAt=21&maxResults=7',
        '/rest/api/3/issue/IT-8/changelog?startAt=28&maxResults=7',
      ]);
      expect(result.records.find((r) => r.source.ref === 'IT-1')!.provenance.requests).toHaveLength(1);
    });

    it('names as approver whoever moved the ticket into a configured approved status, and flags self-approval', async () => {
      const server = await fake();
      const result = await collect(provisioningTickets, configFor(server));
      expect(result.records.map((r) => r.source.ref)).toEqual(['AR-1', 'AR-2']);
      expect(byKey(result.records, 'AR-1')).toMatchObject({
        approver: { id: people.carol.accountId },
        approvedAt: '2026-03-02T11:00:00.000Z',
        approvedStatus: 'Approved',
        resolvedBy: { id: people.alice.accountId },
        approvedByReporter: false,
        approvedBySubject: false,
        subject: { email: 'erin@acme.example' },
      });
      expect(byKey(result.records, 'AR-2')).toMatchObject({
        approver: { id: people.bob.accountId },
        approvedByReporter: true,
        approvedBySubject: true,
      });
      const record = result.records.find((r) => r.source.ref === 'AR-1')!;
      expect(record.kind).toBe('jira.provisioning_ticket');
      expect(record.owner.people.map((p) => p.name)).toEqual(['Carol Approver', 'Alice Admin']);
    });

    it('records access review tickets with their reviewer as owner', async () => {
      const server = await fake();
      const result = await collect(accessReviewTickets, configFor(server));
      expect(result.records.map((r) => [r.kind, r.source.ref, r.occurredAt])).toEqual([
        ['jira.access_review_ticket', 'SEC-1', '2026-03-06T17:00:00.000Z'],
      ]);
      expect(result.records[0]!.owner.people).toEqual([
        { id: people.carol.accountId, name: 'Carol Approver' },
      ]);
    });

    it('collects nothing, without a request, for a kind that is not configured', async () => {
      const server = await fake();
      const config = configFor(server);
      const result = await collect(accessReviewTickets, {
        ...config,
        kinds: { deprovisioning: config.kinds.deprovisioning },
      });
      expect(result.error).toBeUndefined();
      expect(result.records).toEqual([]);
      expect(server.requests).toEqual([]);
    });
  });

  describe('when the source data is bad', () => {
    it('turns a JQL Jira refuses into CW_CONFIG_INVALID naming the configured field', async () => {
      const server = await fake({ invalidQueries: [DEPROVISIONING_JQL] });
      const result = await collect(deprovisioningTickets, configFor(server));
      expect(isCrosswalkError(result.error, 'CW_CONFIG_INVALID')).toBe(true);
      expect((result.error as Error).message).toContain('kinds.deprovisioning');
      expect((result.error as Error).message).toContain("Expecting operator but got 'IS'");
      expect((result.error as { issues: unknown }).issues).toEqual([
        { path: 'kinds.deprovisioning.jql', message: 'Jira rejected the query' },
      ]);
    });

    it('fails naming the ticket when a time cannot be read', async () => {
      const server = await fake();
      server.site.issues.find((i) => i.key === 'IT-2')!.created = 'yesterday';
      const result = await collect(deprovisioningTickets, configFor(server));
      expect(isCrosswalkError(result.error, 'CW_SOURCE_DATA')).toBe(true);
      expect((result.error as Error).message).toBe(
        'Jira returned ticket IT-2 with an unreadable created time: "yesterday"',
      );
    });
  });
});

describe('reading Jira times', () => {
  it('accepts the offsets Jira writes and turns them into fixed-width UTC', () => {
    expect(jiraTime('2026-03-02T10:15:30.123+0000', 'x', 't')).toBe('2026-03-02T10:15:30.123Z');
    expect(jiraTime('2026-03-02T05:15:30.123-0500', 'x', 't')).toBe('2026-03-02T10:15:30.123Z');
    expect(jiraTime('2026-03-02T15:45:30+05:30', 'x', 't')).toBe('2026-03-02T10:15:30.000Z');
    expect(jiraTime('2026-03-02T10:15:30.123Z', 'x', 't')).toBe('2026-03-02T10:15:30.123Z');
  });

  it('refuses a time without a zone, or none at all', () => {
    expect(() => jiraTime('2026-03-02T10:15:30', 'ticket IT-9', 'a created time')).toThrow(
      'Jira returned ticket IT-9 with an unreadable created time: "2026-03-02T10:15:30"',
    );
    expect(() => jiraTime(undefined, 'ticket IT-9', 'a created time')).toThrow(
      'Jira returned ticket IT-9 without a created time',
    );
  });
});

describe('reading the user a ticket is about', () => {
  const kind = {
    jql: 'x',
    subjectField: LEAVER_FIELD,
    subjectPattern: '(?:Offboard|Leaver:) (?<subject>\\S+)',
  };

  it('reads a text field or a select option holding an email or a login', () => {
    expect(subjectOf({ [LEAVER_FIELD]: ' Dave@Acme.example ' }, kind)).toEqual({
      person: { email: 'dave@acme.example' },
      source: 'field',
    });
    expect(subjectOf({ [LEAVER_FIELD]: { value: 'dave-gh', id: '1' } }, kind)).toEqual({
      person: { login: 'dave-gh' },
      source: 'field',
    });
  });

  it('falls back to the summary, and says why when neither names anyone', () => {
    expect(subjectOf({ [LEAVER_FIELD]: null, summary: 'Leaver: frank' }, kind)).toEqual({
      person: { login: 'frank' },
      source: 'summary',
    });
    expect(subjectOf({ summary: 'Please clean up' }, kind)).toEqual({
      person: null,
      source: null,
      problem: `field ${LEAVER_FIELD} is empty; the summary does not match subjectPattern`,
    });
  });

  it('refuses to pick one of several users', () => {
    const two = [
      { accountId: 'a', displayName: 'A' },
      { accountId: 'b', displayName: 'B' },
    ];
    expect(subjectOf({ [LEAVER_FIELD]: two, summary: '' }, { jql: 'x', subjectField: LEAVER_FIELD })).toEqual(
      {
        person: null,
        source: null,
        problem: `field ${LEAVER_FIELD} names 2 users; a ticket must be about one`,
      },
    );
  });
});

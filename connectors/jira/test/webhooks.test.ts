import { closedAfterEach } from '@crosswalk/connector-testkit';
import { isCrosswalkError, type WebhookDelivery } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import {
  accessReviewTickets,
  deprovisioningTickets,
  provisioningTickets,
} from '../src/collectors/tickets.js';
import { parseJiraConfig } from '../src/config.js';
import { handleWebhook, jiraConnector } from '../src/index.js';
import { jiraOpenApi } from '../src/sandbox/openapi.js';
import {
  acmeSite,
  collect,
  configFor,
  DEPROVISIONING_JQL,
  issueUpdatedExample,
  PROVISIONING_JQL,
  startFakeJira,
} from './helpers.js';

const fake = closedAfterEach(() => startFakeJira(acmeSite()));

const config = parseJiraConfig({
  type: 'jira',
  siteUrl: 'https://acme.atlassian.net',
  auth: { kind: 'basic', email: 'bot@acme.example', apiToken: 'ATATT3xToken' },
  kinds: { deprovisioning: { jql: DEPROVISIONING_JQL }, provisioning: { jql: PROVISIONING_JQL } },
});

function delivery(payload: unknown, event = 'jira:issue_updated'): WebhookDelivery {
  return { event, deliveryId: 'd-1', receivedAt: '2026-06-01T00:00:00.000Z', payload };
}

/** A window months after every ticket of the fake site was resolved. */
const LATER = { since: '2026-06-01T00:00:00.000Z', until: '2026-06-02T00:00:00.000Z' };

describe('Jira webhooks', () => {
  describe("Atlassian's documented jira:issue_updated delivery", () => {
    it('collects that ticket again through each configured kind, by key', () => {
      const outcome = handleWebhook(delivery(issueUpdatedExample()), config);
      expect(outcome).toEqual({
        emit: [],
        collect: [
          { collector: 'deprovisioning_tickets', filter: { issueKey: 'JRA-20002' } },
          { collector: 'provisioning_tickets', filter: { issueKey: 'JRA-20002' } },
        ],
      });
      expect(jiraConnector.handleWebhook).toBe(handleWebhook);
    });

    it('matches the API description where the connector reads it, and differs only where the example is old', () => {
      const example = issueUpdatedExample();
      const api = jiraOpenApi();
      expect(api.checkComponent('IssueBean', example.issue)).toEqual([]);
      expect(api.checkComponent('Comment', example.comment)).toEqual([]);
      expect(api.checkComponent('ChangeDetails', example.changelog.items[1])).toEqual([]);
      // Pinned, so a different example or description shows up here (test/fixtures/SOURCE.md).
      expect(api.checkComponent('UserDetails', example.user)).toEqual([
        'UserDetails: /active must be boolean',
      ]);
      expect(api.checkComponent('ChangeDetails', example.changelog.items[0])).toEqual([
        'ChangeDetails: /from must be string',
        'ChangeDetails: /to must be string',
      ]);
    });
  });

  it('treats jira:issue_created the same, and only the configured kinds', () => {
    const created = { ...issueUpdatedExample(), webhookEvent: 'jira:issue_created' };
    const onlyReviews = parseJiraConfig({
      ...config,
      kinds: { accessReview: { jql: 'project = SEC' } },
    });
    expect(handleWebhook(delivery(created, 'jira:issue_created'), onlyReviews).collect).toEqual([
      { collector: 'access_review_tickets', filter: { issueKey: 'JRA-20002' } },
    ]);
  });

  it.each([
    ['another event', { ...issueUpdatedExample(), webhookEvent: 'comment_created' }],
    ['an issue without a key', { ...issueUpdatedExample(), issue: { id: '99291' } }],
    ['a key that is not an issue key', { ...issueUpdatedExample(), issue: { key: 'IT-1" OR key != "X' } }],
    ['a body that is not an object', 'jira:issue_updated'],
  ])('asks for nothing on %s', (_name, payload) => {
    expect(handleWebhook(delivery(payload), config)).toEqual({ emit: [], collect: [] });
  });
});

describe('a ticket collector narrowed to one issue key', () => {
  it('finds a ticket resolved long before the window, dated by its resolution, with the JQL narrowed to the key', async () => {
    const server = await fake();
    const result = await collect(deprovisioningTickets, configFor(server), {
      window: LATER,
      filter: { issueKey: 'IT-8' },
      cursor: { lastResolvedAt: '2026-05-31T00:00:00.000Z' },
    });
    expect(result.error).toBeUndefined();
    expect(result.records.map((r) => [r.source.ref, r.occurredAt])).toEqual([
      ['IT-8', '2026-03-01T12:00:00.000Z'],
    ]);
    const searches = server.received('/rest/api/3/search/jql');
    expect(searches.map((s) => (s.body as { jql: string }).jql)).toEqual([
      `(${DEPROVISIONING_JQL}) AND key = "IT-8" ORDER BY key ASC`,
    ]);
    // Its long changelog is still read in full, and the cursor is left as it was: one ticket is not progress.
    expect(server.received(/\/rest\/api\/3\/issue\/IT-8\/changelog/).length).toBeGreaterThan(0);
    expect((result.records[0]!.payload as { statusHistory: unknown[] }).statusHistory).toHaveLength(2);
    expect(result.cursor).toBeUndefined();
  });

  it('records nothing for a ticket that is not resolved, or that the kind does not select', async () => {
    const server = await fake();
    const open = await collect(deprovisioningTickets, configFor(server), { filter: { issueKey: 'IT-5' } });
    expect(open.error).toBeUndefined();
    expect(open.records).toEqual([]);
    const elsewhere = await collect(provisioningTickets, configFor(server), { filter: { issueKey: 'IT-1' } });
    expect(elsewhere.error).toBeUndefined();
    expect(elsewhere.records).toEqual([]);
    const review = await collect(accessReviewTickets, configFor(server), { filter: { issueKey: 'SEC-1' } });
    expect(review.records.map((r) => r.source.ref)).toEqual(['SEC-1']);
  });

  it('records nothing, and does not fail, when Jira says the key does not exist', async () => {
    const server = await fake();
    const result = await collect(deprovisioningTickets, configFor(server), {
      filter: { issueKey: 'IT-404' },
    });
    expect(result.error).toBeUndefined();
    expect(result.records).toEqual([]);
    expect(server.received('/rest/api/3/search/jql').map((r) => r.status)).toEqual([400]);
    expect(result.logs.some((l) => l.message.includes('IT-404 not found'))).toBe(true);
  });

  it.each([
    ['a key that would carry JQL', { issueKey: 'IT-1" OR project = HR OR key = "IT-2' }, 'filter.issueKey'],
    ['an empty key', { issueKey: '' }, 'filter.issueKey'],
    ['a lower-case key', { issueKey: 'it-1' }, 'filter.issueKey'],
    ["another collector's filter", { repository: 'acme/api', number: '1' }, 'filter.repository'],
  ])('refuses %s before any request, naming the field', async (_name, filter, where) => {
    const server = await fake();
    const result = await collect(deprovisioningTickets, configFor(server), { filter });
    expect(isCrosswalkError(result.error, 'CW_INPUT_INVALID')).toBe(true);
    expect(result.error).toMatchObject({ where });
    expect((result.error as { issues: { path: string }[] }).issues[0]!.path).toBe(where);
    expect(server.requests).toEqual([]);
  });
});

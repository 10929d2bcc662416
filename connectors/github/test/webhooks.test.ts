import { createRequire } from 'node:module';
import { fixedClock, sealRecord } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { parseGitHubConfig } from '../src/config.js';
import { githubConnector } from '../src/index.js';
import { v1Uuid } from './helpers.js';

/**
 * Real payloads from @octokit/webhooks-examples. The collection has no merged `pull_request` or review on a merged
 * PR, so those two are the real `closed` and `submitted` payloads with only the merge fields set.
 */
const require = createRequire(import.meta.url);
type Example = { name: string; examples: Record<string, unknown>[] };
const dotcom: Example[] = require('@octokit/webhooks-examples/api.github.com/index.json');
const ghes: Example[] = require('@octokit/webhooks-examples/ghes-35/index.json');

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are edited field by field below
function example(from: Example[], name: string, action?: string): Record<string, any> {
  const found = from
    .find((e) => e.name === name)!
    .examples.find((p) => action === undefined || p.action === action);
  if (!found) throw new Error(`no ${name}.${action} example`);
  return structuredClone(found);
}

const handle = githubConnector.handleWebhook!;
const delivery = (event: string, payload: unknown) => ({
  event,
  deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
  payload,
  receivedAt: '2026-03-05T10:00:01.250Z',
});
const config = (org: string, extra: Record<string, unknown> = {}) =>
  parseGitHubConfig({
    type: 'github',
    org,
    auth: { kind: 'token', token: 'ghp_x' },
    controlOwner: 'secops',
    ...extra,
  });

describe('handleWebhook', () => {
  describe('for pull_request', () => {
    it('asks to collect the one PR a merge closed', () => {
      const payload = example(dotcom, 'pull_request', 'closed');
      payload.pull_request.merged = true;
      payload.pull_request.merged_at = '2026-03-05T10:00:00Z';
      expect(handle(delivery('pull_request', payload), config('Codertocat'))).toEqual({
        emit: [],
        collect: [
          {
            collector: 'pull_request_approvals',
            filter: { repository: 'Codertocat/Hello-World', number: '2' },
          },
        ],
      });
    });

    it('ignores a PR closed without merging (the real payload)', () => {
      const payload = example(dotcom, 'pull_request', 'closed');
      expect(payload.pull_request.merged).toBe(false);
      expect(handle(delivery('pull_request', payload), config('Codertocat'))).toEqual({
        emit: [],
        collect: [],
      });
    });

    it('ignores other actions and other organizations or unwatched repositories', () => {
      const merged = example(dotcom, 'pull_request', 'closed');
      merged.pull_request.merged = true;
      expect(
        handle(delivery('pull_request', example(dotcom, 'pull_request', 'opened')), config('Codertocat'))
          .collect,
      ).toEqual([]);
      expect(handle(delivery('pull_request', merged), config('acme')).collect).toEqual([]);
      expect(
        handle(delivery('pull_request', merged), config('Codertocat', { repositories: ['other'] })).collect,
      ).toEqual([]);
    });
  });

  describe('for pull_request_review', () => {
    it('asks to collect the PR again when a review is submitted after it merged', () => {
      const payload = example(dotcom, 'pull_request_review', 'submitted');
      payload.pull_request.merged_at = '2026-03-05T09:00:00Z';
      expect(handle(delivery('pull_request_review', payload), config('Codertocat')).collect).toEqual([
        {
          collector: 'pull_request_approvals',
          filter: { repository: 'Codertocat/Hello-World', number: '2' },
        },
      ]);
    });

    it('ignores a review on an open PR (the real payload): the merge will collect it', () => {
      const payload = example(dotcom, 'pull_request_review', 'submitted');
      expect(handle(delivery('pull_request_review', payload), config('Codertocat'))).toEqual({
        emit: [],
        collect: [],
      });
    });
  });

  describe('for organization', () => {
    // A delivery GUID as GitHub makes them: a version-1 UUID, stamped 2026-03-05T10:00:00.500Z.
    const GUID = v1Uuid(Date.parse('2026-03-05T10:00:00.500Z'));
    const removal = (receivedAt: string) => ({
      ...delivery('organization', example(ghes, 'organization', 'member_removed')),
      deliveryId: GUID,
      receivedAt,
    });

    it('turns member_removed into a read-back of that removal from the audit log, the same for every delivery', () => {
      const payload = example(ghes, 'organization', 'member_removed');
      const first = handle(removal('2026-03-05T10:00:01.250Z'), config('Octocoders'));
      const again = handle(removal('2026-03-05T10:07:00.000Z'), config('Octocoders'));
      expect(first.emit).toEqual([]);
      expect(first.collect).toEqual([
        {
          collector: 'member_removed',
          // The hour before GitHub stamped the event and ten minutes after: whichever delivery asks.
          window: { since: '2026-03-05T09:00:00.500Z', until: '2026-03-05T10:10:00.500Z' },
          filter: {
            member: 'Hacktocat',
            memberId: payload.membership.user.node_id,
            removedBy: payload.sender.login,
            removedById: payload.sender.node_id,
            deliveryId: GUID,
            receivedAt: '2026-03-05T10:00:01.250Z',
          },
        },
      ]);
      expect(again.collect[0]!.window).toEqual(first.collect[0]!.window);
    });

    it('with the audit log turned off, records the removal from the payload, dated by the delivery GUID', () => {
      const payload = example(ghes, 'organization', 'member_removed');
      const off = config('Octocoders', { collectors: { member_removed: { auditLog: false } } });
      const outcome = handle(removal('2026-03-05T10:00:01.250Z'), off);
      const redelivered = handle(removal('2026-03-06T08:00:00.000Z'), off);
      expect(outcome.collect).toEqual([]);
      expect(outcome.emit).toHaveLength(1);
      const draft = outcome.emit[0]!;
      expect(draft).toMatchObject({
        kind: 'github.member_removed',
        occurredAt: '2026-03-05T10:00:00.500Z',
        owner: {
          people: [{ login: payload.sender.login, id: payload.sender.node_id }],
          controlOwner: 'secops',
        },
        actors: [{ role: 'removed', person: { login: 'Hacktocat', id: 'MDQ6VXNlcjU=' } }],
        source: {
          system: 'github',
          instance: 'Octocoders',
          ref: 'Octocoders:member_removed:Hacktocat:2026-03-05T10:00:00.500Z',
        },
        payload: { organization: 'Octocoders', via: 'webhook', timeFrom: 'delivery_guid' },
        requests: [],
      });
      // A redelivery a day later is the same event: the same record.
      expect(redelivered.emit).toEqual(outcome.emit);
      // A GUID with no time in it (the docs' 2014 example is too far from this receipt) falls back to the receipt.
      const untimed = handle(
        { ...removal('2026-03-05T10:00:01.250Z'), deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958' },
        off,
      ).emit[0]!;
      expect(untimed.occurredAt).toBe('2026-03-05T10:00:01.250Z');
      expect(untimed.payload).toMatchObject({ timeFrom: 'delivery_receipt' });
      // A valid record of its kind once the runner stamps it.
      const { requests, ...rest } = draft;
      const record = sealRecord(
        {
          ...rest,
          collectedAt: '2026-03-05T10:00:02.000Z',
          controls: { 'soc2-2017': ['CC6.2'], 'iso27001-2022': ['A.5.18'], mappingVersion: 'test' },
          provenance: {
            connector: { id: 'github-octocoders', type: 'github', version: '0.1.0' },
            collector: 'webhook',
            runId: 'r',
            trigger: { type: 'webhook', deliveryId: 'd', event: 'organization' },
            requests,
          },
        } as never,
        fixedClock('2026-03-05T10:00:02.000Z').now(),
      );
      expect(record.kind).toBe('github.member_removed');
    });

    it('ignores member_added and removals from another organization', () => {
      expect(
        handle(
          delivery('organization', example(dotcom, 'organization', 'member_added')),
          config('Octocoders'),
        ),
      ).toEqual({
        emit: [],
        collect: [],
      });
      const other = handle(
        delivery('organization', example(ghes, 'organization', 'member_removed')),
        config('acme'),
      );
      expect(other).toEqual({ emit: [], collect: [] });
    });
  });

  it('acknowledges ping and unknown events with an empty outcome', () => {
    expect(handle(delivery('ping', example(dotcom, 'ping')), config('Codertocat'))).toEqual({
      emit: [],
      collect: [],
    });
    expect(handle(delivery('star', {}), config('Codertocat'))).toEqual({ emit: [], collect: [] });
  });
});

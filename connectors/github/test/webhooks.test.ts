import { createRequire } from 'node:module';
import { fixedClock, sealRecord } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { parseGitHubConfig } from '../src/config.js';
import { githubConnector } from '../src/index.js';

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
    it('turns member_removed into a removal record dated at receipt, with the sender as the actor', () => {
      const payload = example(ghes, 'organization', 'member_removed');
      const outcome = handle(delivery('organization', payload), config('Octocoders'));
      expect(outcome.collect).toEqual([]);
      expect(outcome.emit).toHaveLength(1);
      const draft = outcome.emit[0]!;
      expect(draft).toMatchObject({
        kind: 'github.member_removed',
        occurredAt: '2026-03-05T10:00:01.250Z',
        owner: {
          people: [{ login: payload.sender.login, id: payload.sender.node_id }],
          controlOwner: 'secops',
        },
        actors: [{ role: 'removed', person: { login: 'Hacktocat', id: 'MDQ6VXNlcjU=' } }],
        source: {
          system: 'github',
          instance: 'Octocoders',
          ref: 'Octocoders:member_removed:Hacktocat:2026-03-05T10:00:01.250Z',
        },
        payload: { organization: 'Octocoders', via: 'webhook' },
        requests: [],
      });
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
      expect(
        handle(delivery('organization', example(ghes, 'organization', 'member_removed')), config('acme'))
          .emit,
      ).toEqual([]);
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

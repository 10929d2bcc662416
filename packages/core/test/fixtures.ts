import type { EvidenceDraft } from '../src/index.js';

/**
 * A valid draft of a merged, approved pull request, for tests in every package. `overrides.ref` and
 * `overrides.occurredAt` make distinct items; anything else can be replaced whole.
 */
export function pullRequestDraft(
  overrides: Partial<EvidenceDraft<'github.pull_request.approval'>> & { ref?: string } = {},
): EvidenceDraft<'github.pull_request.approval'> {
  const occurredAt = overrides.occurredAt ?? '2026-03-10T14:22:05.123Z';
  const ref = overrides.ref ?? 'acme/api#42';
  const number = Number(ref.split('#')[1] ?? 42);
  const { ref: _ref, ...rest } = overrides;
  return {
    kind: 'github.pull_request.approval',
    occurredAt,
    collectedAt: '2026-03-11T00:00:00.000Z',
    owner: { people: [{ login: 'bob' }], controlOwner: 'eng-leads@acme.example' },
    actors: [
      { role: 'author', person: { login: 'alice' } },
      { role: 'merger', person: { login: 'alice' } },
    ],
    source: { system: 'github', instance: 'acme', ref, url: `https://github.com/acme/api/pull/${number}` },
    controls: { 'soc2-2017': ['CC8.1'], 'iso27001-2022': ['A.8.32'], mappingVersion: 'test-mapping' },
    payload: {
      repository: 'acme/api',
      number,
      title: 'Rotate signing keys',
      author: { login: 'alice' },
      mergedBy: { login: 'alice' },
      mergedAt: occurredAt,
      baseBranch: 'main',
      headCommit: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      mergeCommit: 'e5bd3914e2e596debea16f433f57875b5b90bcd6',
      reviews: [
        {
          reviewer: { login: 'bob' },
          state: 'APPROVED',
          submittedAt: '2026-03-10T13:00:00.000Z',
          commit: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
        },
      ],
      approvedByNonAuthor: true,
      approvalOnFinalCommit: true,
      selfMerged: true,
      approvalsBeforeMerge: 1,
    },
    provenance: scheduledProvenance(
      { id: 'github-acme', type: 'github' },
      'pull_request_approvals',
      'run-1',
      [{ method: 'POST', path: '/graphql', status: 200, requestId: 'C0DE:1234' }],
    ),
    ...rest,
  };
}

/**
 * The provenance a scheduled run `runId` of connector `connector.id` (version 0.1.0) gives its records of
 * `collector`, with the requests that read them.
 */
export function scheduledProvenance(
  connector: { id: string; type: string },
  collector: string,
  runId: string,
  requests: EvidenceDraft['provenance']['requests'] = [],
): EvidenceDraft['provenance'] {
  return {
    connector: { ...connector, version: '0.1.0' },
    collector,
    runId,
    trigger: { type: 'schedule', scheduler: null },
    requests,
  };
}

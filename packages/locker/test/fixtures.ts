import type { RunManifestDraft } from '../src/runs.js';

/**
 * Run manifests for tests and benchmarks (`@crosswalk/locker/testing`): most of a manifest is the same for every
 * test, so a test names only the fields its case turns on.
 */

type CollectorRun = RunManifestDraft['collectors'][number];
type ListedRecord = RunManifestDraft['records'][number];

/** A scheduled run of `github-acme` that succeeded at once, collecting and listing nothing unless told. */
export function runDraft(
  fields: Pick<RunManifestDraft, 'runId' | 'startedAt'> & Partial<RunManifestDraft>,
): RunManifestDraft {
  return {
    connectorId: 'github-acme',
    connectorType: 'github',
    connectorVersion: '0.1.0',
    trigger: { type: 'schedule', scheduler: null },
    window: null,
    filter: {},
    finishedAt: fields.startedAt,
    status: 'succeeded',
    collectors: [],
    records: [],
    ...fields,
  };
}

/** One collector's line in a manifest: one request, nothing stored; a failed one says GitHub answered 502. */
export function collectorRun(
  fields: Pick<CollectorRun, 'id' | 'kind' | 'window'> & Partial<CollectorRun>,
): CollectorRun {
  const status = fields.status ?? 'succeeded';
  return {
    status,
    stored: 0,
    duplicates: 0,
    requests: 1,
    error: status === 'failed' ? { code: 'CW_SOURCE_UNAVAILABLE', message: 'GitHub answered 502' } : null,
    ...fields,
  };
}

/** The lines a manifest lists for stored records (anything else they carry is left out). */
export function listed(records: readonly ListedRecord[]): ListedRecord[] {
  return records.map(({ id, kind, sha256, key }) => ({ id, kind, sha256, key }));
}

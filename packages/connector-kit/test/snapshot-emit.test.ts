import type { EmittedDraft } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import type { EntityDigest, PolicyChange, SnapshotCursor } from '../src/snapshot-diff.js';
import { emitDiffedSnapshot } from '../src/snapshot-emit.js';

type Cursor = SnapshotCursor<EntityDigest, PolicyChange>;
const source = {
  system: 'acme',
  instance: 'acme.example',
  ref: 'acme.example:policies',
  url: 'https://acme.example',
};
const entities = (mfa: string) => ({ 'policy:p1': { subject: 'policy', name: 'MFA', fields: { mfa } } });
const alice = { eventId: 'e1', at: '2026-03-02T09:00:00.000Z', actor: { login: 'alice' }, policyId: 'p1' };

/** One day's snapshot through a context that stores a draft once (a same-day rerun is a duplicate). */
async function day(
  occurredAt: string,
  cursor: Cursor,
  mfa: string,
  changes: PolicyChange[],
  stored: Set<string>,
) {
  const drafts: EmittedDraft[] = [];
  let saved: Cursor | undefined;
  const status = await emitDiffedSnapshot(
    {
      config: { controlOwner: 'secops@acme.example' },
      emit: async (draft) => {
        drafts.push(draft as EmittedDraft);
        const key = `${draft.kind}:${draft.occurredAt}`;
        if (stored.has(key)) return 'duplicate';
        stored.add(key);
        return 'stored';
      },
      saveCursor: (next) => {
        saved = next;
      },
    },
    {
      kind: 'okta.policy',
      occurredAt,
      source,
      cursor,
      changeEvents: changes,
      lastChanges: Object.fromEntries(changes.map((c) => [c.policyId!, c])),
      contentSha256: `sha-${mfa}`,
      entities: entities(mfa),
      payload: (since) => since as never,
      requests: [],
    },
  );
  return { status, draft: drafts[0]!, cursor: saved! };
}

describe('emitting a diffed policy snapshot', () => {
  it('points at the previous day, says what changed, is owned by who changed it, and keeps the morning on a rerun', async () => {
    const stored = new Set<string>();
    const first = await day('2026-03-01T00:00:00.000Z', {}, 'off', [], stored);
    expect(first.draft.payload).toEqual({ previousSnapshot: null, changedSincePrevious: null });
    expect(first.draft.owner).toEqual({ people: [], controlOwner: 'secops@acme.example' });

    const second = await day('2026-03-02T00:00:00.000Z', first.cursor, 'on', [alice], stored);
    const payload = second.draft.payload as unknown as { previousSnapshot: { contentSha256: string } };
    expect(payload.previousSnapshot.contentSha256).toBe('sha-off');
    expect(second.draft.payload).toMatchObject({
      changedSincePrevious: [{ id: 'p1', subject: 'policy', change: 'modified', fields: ['mfa'] }],
    });
    expect(second.draft.owner.people).toEqual([{ login: 'alice' }]);

    // A rerun the same day stores nothing and compares with the same previous day as the morning did.
    const rerun = await day('2026-03-02T00:00:00.000Z', second.cursor, 'on', [alice], stored);
    expect(rerun.status).toBe('duplicate');
    expect(rerun.draft.payload).toEqual(second.draft.payload);
    expect(rerun.cursor.latest).toEqual(second.cursor.latest);
  });
});

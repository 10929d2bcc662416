import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  changeOwners,
  diffDigests,
  fieldDigests,
  mergeChanges,
  nextSnapshotCursor,
  previousSnapshot,
  snapshotCursorSchema,
} from '../src/snapshot-diff.js';

const entity = (subject: string, name: string, fields: Record<string, string>) => ({ subject, name, fields });
const state = (occurredAt: string) => ({
  id: `r-${occurredAt}`,
  occurredAt,
  contentSha256: 'sha',
  entities: {},
});
const change = (eventId: string, at: string, policyId: string | null, login: string) => ({
  eventId,
  at,
  policyId,
  actor: { login },
});

describe('policy snapshot diffs', () => {
  it('hashes each top-level field but the skipped ones, the same value to the same digest', () => {
    const a = fieldDigests({ state: 'on', rules: [1], lastChange: 'x' }, ['lastChange']);
    expect(Object.keys(a)).toEqual(['state', 'rules']);
    expect(a.state).toBe(fieldDigests({ state: 'on' }).state);
    expect(a.state).toHaveLength(16);
  });

  it('lists added, modified and removed objects with the changed fields, carrying extra digest fields', () => {
    const previous = {
      'rule:a': { ...entity('rule', 'A', { x: '1', y: '1' }), policyId: 'p1' },
      'rule:b': { ...entity('rule', 'B', { x: '1' }), policyId: 'p1' },
    };
    const current = {
      'rule:a': { ...entity('rule', 'A', { x: '2', y: '1', z: '1' }), policyId: 'p1' },
      'rule:c': { ...entity('rule', 'C', { x: '1' }), policyId: 'p2' },
    };
    expect(diffDigests(previous, current)).toEqual([
      { subject: 'rule', id: 'a', name: 'A', policyId: 'p1', change: 'modified', fields: ['x', 'z'] },
      { subject: 'rule', id: 'b', name: 'B', policyId: 'p1', change: 'removed', fields: [] },
      { subject: 'rule', id: 'c', name: 'C', policyId: 'p2', change: 'added', fields: [] },
    ]);
  });

  it('orders subjects as told, else by name', () => {
    const current = { 'rule:a': entity('rule', 'A', {}), 'policy:b': entity('policy', 'B', {}) };
    expect(diffDigests({}, current).map((c) => c.subject)).toEqual(['policy', 'rule']);
    expect(diffDigests({}, current, ['rule', 'policy']).map((c) => c.subject)).toEqual(['rule', 'policy']);
  });

  it("compares with an earlier day's snapshot, and on a same-day rerun with what the first run compared with", () => {
    const monday = state('2026-03-09T00:00:00.000Z');
    const tuesday = state('2026-03-10T00:00:00.000Z');
    expect(previousSnapshot({}, tuesday.occurredAt)).toBeNull();
    expect(previousSnapshot({ latest: monday }, tuesday.occurredAt)).toBe(monday);
    expect(previousSnapshot({ latest: tuesday, beforeLatest: monday }, tuesday.occurredAt)).toBe(monday);
    expect(previousSnapshot({ latest: tuesday }, monday.occurredAt)).toBeNull();
  });

  it("keeps the morning's state when a same-day rerun was a duplicate, and moves on otherwise", () => {
    const monday = state('2026-03-09T00:00:00.000Z');
    const morning = state('2026-03-10T00:00:00.000Z');
    const rerun = { ...morning, contentSha256: 'other' };
    const cursor = { latest: morning, beforeLatest: monday };
    expect(nextSnapshotCursor(cursor, rerun, monday, 'duplicate', {})).toEqual({
      ...cursor,
      lastChanges: {},
    });
    expect(nextSnapshotCursor(cursor, rerun, monday, 'stored', {}).latest).toBe(rerun);
    const parsed = snapshotCursorSchema(z.object({}), z.object({})).safeParse({ latest: { id: '' } });
    expect(parsed.success).toBe(false);
  });

  it('keeps the latest change per policy and names the window’s changers, latest first, as owners', () => {
    const known = { p1: change('e0', '2026-03-01T00:00:00Z', 'p1', 'old') };
    const window = [
      change('e2', '2026-03-09T02:00:00Z', 'p1', 'bob'),
      change('e1', '2026-03-09T01:00:00Z', 'p2', 'ann'),
      change('e3', '2026-03-09T03:00:00Z', null, 'bob'),
    ];
    const last = mergeChanges(known, window);
    expect(window.map((c) => c.eventId)).toEqual(['e1', 'e2', 'e3']);
    expect(Object.fromEntries(Object.entries(last).map(([id, c]) => [id, c.eventId]))).toEqual({
      p1: 'e2',
      p2: 'e1',
    });
    expect(changeOwners(window, last).map((p) => p.login)).toEqual(['bob', 'ann']);
    expect(changeOwners([], known).map((p) => p.login)).toEqual(['old']);
  });
});

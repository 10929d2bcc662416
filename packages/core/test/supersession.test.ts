import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canSupersede, resolveCurrent, type SupersessionEntry } from '../src/index.js';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString();
const entry = (
  id: string,
  minute: number,
  supersedes: string | null = null,
  subject = 'ticket-1',
): SupersessionEntry => ({ id, collectedAt: at(minute), subject, supersedes });

function currentOf(entries: SupersessionEntry[]) {
  const resolved = resolveCurrent(entries);
  return {
    resolved,
    current: [...resolved].filter(([, c]) => c.current).map(([id]) => id),
    by: (id: string) => resolved.get(id)!.supersededBy,
  };
}

describe('resolveCurrent', () => {
  it('makes the end of a chain A <- B <- C current, whatever order it was collected and read in', () => {
    // Collected C first, then A, then B (a backfill, clocks apart): the links decide, not the times.
    const entries = [entry('A', 5), entry('B', 9, 'A'), entry('C', 1, 'B')];
    for (const order of [entries, [...entries].reverse(), [entries[1]!, entries[2]!, entries[0]!]]) {
      const { resolved, current, by } = currentOf(order);
      expect(current).toEqual(['C']);
      expect([by('A'), by('B'), by('C')]).toEqual(['B', 'C', null]);
      expect(resolved.get('A')).toEqual({
        current: false,
        supersedes: null,
        supersededBy: 'B',
        currentId: 'C',
      });
      expect(resolved.get('C')!.supersedes).toBe('B');
    }
  });

  it('keeps the later-collected of two records that name the same one, and marks the other superseded by it', () => {
    const { current, by } = currentOf([entry('A', 0), entry('B', 10, 'A'), entry('C', 20, 'A')]);
    expect(current).toEqual(['C']);
    expect(by('B')).toBe('C');
    expect(by('A')).toBe('C');
    // Same collectedAt: the greater id, so the answer never depends on read order.
    const tie = currentOf([entry('A', 0), entry('C', 10, 'A'), entry('B', 10, 'A')]);
    expect(tie.current).toEqual(['C']);
    expect(tie.by('B')).toBe('C');
  });

  it('follows a fork that went on: the current answer is the last-collected end, and every chain reaches it', () => {
    // A <- B <- D and A <- C: ends D (10:30) and C (10:20).
    const { current, by } = currentOf([
      entry('A', 0),
      entry('B', 10, 'A'),
      entry('C', 20, 'A'),
      entry('D', 30, 'B'),
    ]);
    expect(current).toEqual(['D']);
    expect(by('C')).toBe('D');
    expect(by('B')).toBe('D');
    expect(by('A')).toBe('C');
  });

  it('lets a link to a record it was not given (before the range read) decide nothing, and keeps it as written', () => {
    const { resolved, current } = currentOf([entry('B', 10, 'outside'), entry('C', 20, 'B')]);
    expect(current).toEqual(['C']);
    expect(resolved.get('B')).toEqual({
      current: false,
      supersedes: 'outside',
      supersededBy: 'C',
      currentId: 'C',
    });
  });

  it('ignores a link to another subject and a record naming itself', () => {
    const { current } = currentOf([
      entry('A', 0, null, 'ticket-1'),
      entry('X', 5, 'A', 'ticket-2'),
      entry('Y', 6, 'Y', 'ticket-3'),
    ]);
    expect(current.sort()).toEqual(['A', 'X', 'Y']);
  });

  it('gives two unlinked answers about one subject one current answer: the later collected', () => {
    const { current, by } = currentOf([entry('A', 0), entry('B', 10)]);
    expect(current).toEqual(['B']);
    expect(by('A')).toBe('B');
  });

  it('ends a ring of records naming each other at the last collected, and never walks round it', () => {
    const ring = currentOf([entry('A', 0, 'C'), entry('B', 10, 'A'), entry('C', 20, 'B')]);
    expect(ring.current).toEqual(['C']);
    // A ring beside a record nothing names: that record is current, and the ring is cut towards it.
    const beside = currentOf([entry('A', 0, 'B'), entry('B', 10, 'A'), entry('Z', 5)]);
    expect(beside.current).toEqual(['Z']);
    for (const id of ['A', 'B']) {
      const seen = new Set<string>();
      let x: string | null = id;
      while (x !== null && !seen.has(x)) {
        seen.add(x);
        x = beside.by(x);
      }
      expect(x).toBeNull();
      expect(seen.has('Z')).toBe(true);
    }
  });

  it('resolves 23 answers about 9 tickets to 9 current ones', () => {
    const entries: SupersessionEntry[] = [];
    // Answers per ticket: 14 superseded answers spread over 9 tickets (pending -> not_found -> late, ...).
    const perTicket = [4, 4, 3, 3, 2, 2, 2, 2, 1];
    let minute = 0;
    for (const [t, count] of perTicket.entries()) {
      for (let i = 0; i < count; i++) {
        entries.push(entry(`t${t}-a${i}`, minute++, i === 0 ? null : `t${t}-a${i - 1}`, `ticket-${t}`));
      }
    }
    expect(entries).toHaveLength(23);
    const { resolved, current } = currentOf(entries);
    expect(current).toHaveLength(9);
    expect([...resolved.values()].filter((c) => !c.current)).toHaveLength(14);
    expect(current.sort()).toEqual(perTicket.map((n, t) => `t${t}-a${n - 1}`).sort());
  });

  it('property: one current answer per subject, order-independent, and supersededBy always leads to it', () => {
    const history = fc
      .array(
        fc.record({
          subject: fc.constantFrom('s1', 's2', 's3'),
          minute: fc.integer({ min: 0, max: 30 }),
          // An index into the history (a link to an earlier, later, or missing record), or none.
          link: fc.option(fc.integer({ min: 0, max: 25 }), { nil: null }),
        }),
        { minLength: 1, maxLength: 20 },
      )
      .map((items) =>
        items.map((item, i) =>
          entry(`r${i}`, item.minute, item.link === null ? null : `r${item.link}`, item.subject),
        ),
      );
    fc.assert(
      fc.property(history, fc.infiniteStream(fc.nat()), (entries, seeds) => {
        const resolved = resolveCurrent(entries);
        const subjects = new Set(entries.map((e) => e.subject));
        const currents = [...resolved].filter(([, c]) => c.current);
        expect(currents).toHaveLength(subjects.size);
        for (const e of entries) {
          const c = resolved.get(e.id)!;
          let x = e.id;
          for (let steps = 0; resolved.get(x)!.supersededBy !== null; steps++) {
            expect(steps).toBeLessThan(entries.length);
            x = resolved.get(x)!.supersededBy!;
          }
          expect(x).toBe(c.currentId);
          expect(resolved.get(x)!.current).toBe(true);
          expect(entries.find((y) => y.id === x)!.subject).toBe(e.subject);
        }
        const shuffled = entries
          .map((e) => ({ e, k: seeds.next().value as number }))
          .sort((a, b) => a.k - b.k)
          .map(({ e }) => e);
        expect(resolveCurrent(shuffled)).toEqual(resolved);
      }),
      { numRuns: 500 },
    );
  });
});

describe('canSupersede', () => {
  it('is true for derived timeliness only: events and snapshots are never replaced', () => {
    expect(canSupersede('crosswalk.deprovisioning_timeliness')).toBe(true);
    for (const kind of ['github.member_removed', 'github.org_members', 'okta.access_review'] as const)
      expect(canSupersede(kind)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { githubOrganization, jiraSite, MISSED_REVIEW_QUARTER, oktaOrg, timeline } from '../src/index.js';

const DAY_MS = 86_400_000;

/** Every day of two years, at a time of day that moves, so quarter and year boundaries are all crossed. */
const days = Array.from(
  { length: 731 },
  (_, i) => new Date(Date.UTC(2026, 0, 1) + i * DAY_MS + ((i * 37) % 1440) * 60_000),
);

describe("the demo organisation's calendar", () => {
  it('is always the four whole quarters before the current one, ending at or before now', () => {
    for (const now of days) {
      const time = timeline(now);
      const month = now.getUTCMonth();
      expect(time.to.getTime()).toBe(Date.UTC(now.getUTCFullYear(), month - (month % 3), 1));
      expect(time.to.getTime()).toBeLessThanOrEqual(now.getTime());
      expect(time.quarters.map((q) => q.start.getTime())).toEqual([
        time.from.getTime(),
        time.quarters[0]!.end.getTime(),
        time.quarters[1]!.end.getTime(),
        time.quarters[2]!.end.getTime(),
      ]);
      expect(time.quarters[3]!.end.getTime()).toBe(time.to.getTime());
      expect(time.quarters.every((q) => /^\d{4}-Q[1-4]$/.test(q.label))).toBe(true);
    }
  });
});

describe("Northwind's year", () => {
  const now = new Date('2027-02-10T12:00:00.000Z');
  const time = timeline(now);
  const inYear = (at: string | number) => new Date(at).getTime() < time.to.getTime();

  it('puts every merge, removal, ticket and review before the end of the audit year, so all of it is final', () => {
    const github = githubOrganization(time);
    const pulls = github.repositories.flatMap((r) => r.pulls);
    expect(pulls.length).toBeGreaterThan(100);
    expect(pulls.every((p) => inYear(p.mergedAt!) && Date.parse(p.mergedAt!) >= time.from.getTime())).toBe(
      true,
    );
    expect(github.auditLog.every((e) => inYear(e.timestamp))).toBe(true);
    expect(oktaOrg(time).events.every((e) => inYear(e.published))).toBe(true);
    expect(jiraSite(time).issues.every((i) => i.resolved && inYear(i.resolved))).toBe(true);
  });

  it('has exactly one merge approved by its author alone, and no review in the missed quarter', () => {
    const pulls = githubOrganization(time).repositories.flatMap((r) => r.pulls);
    const selfApproved = pulls.filter((p) => p.reviews.every((r) => r.author?.login === p.author.login));
    expect(selfApproved).toHaveLength(1);
    const missed = time.quarters[MISSED_REVIEW_QUARTER]!;
    const campaigns = oktaOrg(time).governance!.campaigns;
    expect(campaigns).toHaveLength(3);
    expect(
      campaigns.some(
        (c) =>
          Date.parse(c.endDate) >= missed.start.getTime() && Date.parse(c.endDate) < missed.end.getTime(),
      ),
    ).toBe(false);
  });
});

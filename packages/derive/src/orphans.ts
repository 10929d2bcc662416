import {
  type CollectorContext,
  type CollectorDefinition,
  CrosswalkError,
  type EvidenceKind,
  type PayloadOf,
} from '@crosswalk/core';
import { accountSources, type Observation, readObservations } from './accounts.js';
import type { TimelinessConfig } from './config.js';
import { readRoster, readTerminations } from './leavers.js';
import { hrPeople, Matcher } from './matching.js';
import { sourceKey } from './removals.js';
import { answerRef, read, readPrevious, replacedBy } from './supersede.js';

type Payload = PayloadOf<'crosswalk.orphaned_accounts'>;
type SystemAnswer = Payload['systems'][number];

const KIND = 'crosswalk.orphaned_accounts' satisfies EvidenceKind;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The latest snapshot of each connector among a day's. */
function latestPerConnector(observations: readonly Observation[]): Observation[] {
  const latest = new Map<string, Observation>();
  for (const observation of observations) latest.set(observation.connectorId, observation);
  return [...latest.values()];
}

/**
 * One system's orphaned accounts on one day: each active account of its latest snapshots whose person had left
 * when the snapshot was read, or whom no one HR lists matches.
 */
export function orphansOf(system: string, snapshots: readonly Observation[], matcher: Matcher): SystemAnswer {
  const orphaned: SystemAnswer['orphaned'] = [];
  let accounts = 0;
  let active = 0;
  for (const snapshot of snapshots) {
    for (const account of snapshot.accounts) {
      accounts += 1;
      if (!account.active) continue;
      active += 1;
      const match = matcher.match(system, account);
      const left = match?.person.endedAt != null && match.person.endedAt <= snapshot.at;
      if (match && !left) continue;
      orphaned.push({
        login: account.login,
        email: account.email,
        name: account.name,
        reason: match ? 'terminated' : 'unknown',
        employeeId: match?.person.employeeId ?? null,
        matchedBy: match?.rule ?? null,
        terminatedAt: match?.person.endedAt ?? null,
      });
    }
  }
  orphaned.sort((a, b) => a.login.localeCompare(b.login));
  return {
    system,
    snapshots: snapshots.map((s) => ({
      evidenceId: s.evidenceId,
      sha256: s.sha256,
      connectorId: s.connectorId,
      readAt: s.at,
    })),
    accounts,
    active,
    orphaned,
  };
}

async function collectOrphans(ctx: CollectorContext<TimelinessConfig>): Promise<void> {
  const { evidence, config } = ctx;
  if (!evidence)
    throw new CrosswalkError('CW_INTERNAL', "the orphaned-accounts join needs the runner's evidence reader");
  const leavers = config.leavers;
  if (!leavers) {
    ctx.log.info({}, 'orphaned accounts not configured (no `leavers` in the config)');
    return;
  }
  // Whole UTC days of the window that have ended: a day still under way may get another snapshot.
  const now = ctx.clock.now().getTime();
  const end = Math.min(Date.parse(ctx.window.until), now);
  const days: number[] = [];
  for (let day = Math.floor(Date.parse(ctx.window.since) / DAY) * DAY; day + DAY <= end; day += DAY)
    days.push(day);
  if (days.length === 0) {
    ctx.log.info({ ...ctx.window }, 'no whole day in the window to judge');
    return;
  }
  const from = days[0]!;
  const to = days.at(-1)! + DAY;
  const sources = accountSources('access');
  const systems = leavers.systems ?? [...sources.keys()];
  const observations = new Map<string, Observation[]>();
  for (const system of systems) {
    const source = sources.get(system);
    if (!source)
      throw new CrosswalkError('CW_CONFIG_INVALID', `no registered kind lists the accounts of ${system}`);
    observations.set(
      system,
      await readObservations(
        evidence,
        source,
        { from: iso(from), to: iso(to) },
        config.sources[sourceKey(system)],
      ),
    );
  }
  const terminations = await readTerminations(evidence, config.sources, {
    from: iso(from - 3650 * DAY),
    to: iso(to),
  });
  const previous = await readPrevious(
    evidence,
    KIND,
    ctx.connectorId,
    { from: iso(from), to: iso(to) },
    (r) => (r.payload as Payload).day,
  );
  let orphanedDays = 0;
  for (const day of days) {
    const dayEnd = iso(day + DAY);
    const roster = await readRoster(evidence, config, {
      from: iso(day - leavers.rosterLookbackDays * DAY),
      to: dayEnd,
    });
    if (roster.length === 0)
      ctx.log.warn(
        { day: iso(day) },
        'no HR roster to judge the day against: every active account is unknown',
      );
    const people = hrPeople(
      roster.flatMap((o) => o.accounts),
      terminations.filter((t) => t.terminatedAt < dayEnd).map((t) => ({ ...t, name: t.person.name ?? null })),
    );
    const matcher = new Matcher(people, leavers);
    const answers = systems.map((system) =>
      orphansOf(
        system,
        latestPerConnector(observations.get(system)!.filter((o) => o.day === iso(day))),
        matcher,
      ),
    );
    const hr = roster.at(-1);
    const name = iso(day).slice(0, 10);
    const ref = answerRef(name, {
      roster: hr?.evidenceId ?? null,
      systems: answers.map((a) => [a.system, a.snapshots.map((s) => s.evidenceId), a.orphaned]),
    });
    const replaced = replacedBy(previous.get(name) ?? [], ref, (r) => (r.payload as Payload).supersedes);
    const orphanedCount = answers.reduce((n, a) => n + a.orphaned.length, 0);
    if (orphanedCount > 0) orphanedDays += 1;
    await ctx.emit({
      kind: KIND,
      occurredAt: iso(day),
      owner: { people: [], controlOwner: config.controlOwner ?? null },
      actors: [],
      source: { system: 'crosswalk', instance: ctx.connectorId, ref, url: null },
      payload: {
        day: name,
        roster: hr
          ? {
              evidenceId: hr.evidenceId,
              sha256: hr.sha256,
              system: hr.system,
              readAt: hr.at,
              people: hr.accounts.length,
            }
          : null,
        systems: answers,
        orphanedCount,
        supersedes: replaced.id,
      },
      requests: [
        ...roster.map((o) => read(o.key)),
        ...systems.flatMap((s) =>
          latestPerConnector(observations.get(s)!.filter((o) => o.day === iso(day))).map((o) => read(o.key)),
        ),
        ...(replaced.record ? [read(evidence.keyOf(replaced.record.id))] : []),
      ],
    });
  }
  ctx.log.info({ days: days.length, orphanedDays }, 'orphaned accounts judged');
}

/**
 * The collector: for each whole UTC day of the window, the active accounts in every system whose kinds declare
 * `accounts` that belong to people HR lists as terminated, or to no one HR lists.
 */
export const orphanedAccountsCollector: CollectorDefinition<TimelinessConfig> = {
  id: 'orphaned_accounts',
  kind: KIND,
  description: "Active accounts of leavers or of no one HR knows, on each day's snapshots",
  collect: collectOrphans,
};

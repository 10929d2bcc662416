import {
  type CollectorContext,
  type CollectorDefinition,
  CrosswalkError,
  type EmittedDraft,
  type EvidenceKind,
  type EvidenceReader,
  type PayloadOf,
  type TerminationFacts,
} from '@crosswalk/core';
import {
  type AccountSource,
  accountSources,
  type Observation,
  readObservations,
  terminationKinds,
} from './accounts.js';
import type { TimelinessConfig } from './config.js';
import type { LeaversConfig } from './leavers-config.js';
import { type AccountMatch, type HrPerson, hrPeople, Matcher } from './matching.js';
import { type Removal, readRemovals, removalSources, sourceKey } from './removals.js';
import { answerRef, read, readPrevious, replacedBy, tally } from './supersede.js';

type Payload = PayloadOf<'crosswalk.leaver_timeliness'>;
type SystemResult = Payload['systems'][number];

const KIND = 'crosswalk.leaver_timeliness' satisfies EvidenceKind;
const MINUTE = 60_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** Snapshots are filed under the start of their UTC day: a range by occurredAt starts at its first day. */
const dayStart = (ms: number) => iso(Math.floor(ms / DAY) * DAY);

/** One HR termination read from the locker. */
export interface Termination extends TerminationFacts {
  evidenceId: string;
  sha256: string;
  key: string;
  system: string;
}

/** The terminations taking effect in `range`, found by their kinds' termination declarations. */
export async function readTerminations(
  evidence: EvidenceReader,
  sources: TimelinessConfig['sources'],
  range: { from: string; to: string },
): Promise<Termination[]> {
  const terminations: Termination[] = [];
  for (const { kind, system, termination } of terminationKinds()) {
    const connectorId = sources[sourceKey(system)];
    for await (const record of evidence.list(kind, range)) {
      if (connectorId !== undefined && record.provenance.connector.id !== connectorId) continue;
      const facts = termination.read(record.payload);
      if (!facts) continue;
      terminations.push({
        ...facts,
        evidenceId: record.id,
        sha256: record.sha256,
        key: evidence.keyOf(record.id),
        system,
      });
    }
  }
  return terminations.sort((a, b) =>
    a.terminatedAt < b.terminatedAt ? -1 : a.terminatedAt > b.terminatedAt ? 1 : 0,
  );
}

/** One system's evidence over the span searched: its snapshots and its removals (where it declares them). */
export interface SystemEvidence {
  source: AccountSource;
  observations: Observation[];
  removals: Removal[];
}

/**
 * One system's answer for one leaver: when their access there ended (the earliest removal event of an account of
 * theirs not followed by a snapshot showing it active, else the first snapshot of the last run that no longer
 * shows one active), in [terminatedAt - lookbehind, min(now, terminatedAt + lookahead)).
 */
export function leaverSystemResult(input: {
  system: SystemEvidence;
  person: HrPerson;
  matcher: Matcher;
  terminatedAt: string;
  now: number;
  config: Pick<LeaversConfig, 'slaMinutes' | 'lookaheadDays' | 'lookbehindDays'>;
}): SystemResult & { joined: string | null } {
  const { system, person, config } = input;
  const terminated = Date.parse(input.terminatedAt);
  const from = terminated - config.lookbehindDays * DAY;
  const until = Math.max(from, Math.min(input.now, terminated + config.lookaheadDays * DAY));
  const within = (at: string) => Date.parse(at) >= from && Date.parse(at) < until;
  const accounts = new Set<string>();
  let matchedBy: AccountMatch['rule'] | null = null;
  let lastActive: Observation | null = null;
  let endedSnapshot: Observation | null = null;
  let seen = false;
  let observed = false;
  for (const observation of system.observations) {
    if (!within(observation.at)) continue;
    observed = true;
    const mine = observation.accounts.filter((account) => {
      const match = input.matcher.match(system.source.system, account);
      if (match?.person.employeeId !== person.employeeId) return false;
      matchedBy ??= match.rule;
      accounts.add(account.login.toLowerCase());
      return true;
    });
    seen ||= mine.length > 0;
    if (mine.some((a) => a.active)) {
      lastActive = observation;
      endedSnapshot = null;
    } else if (seen && endedSnapshot === null) {
      endedSnapshot = observation;
    }
  }
  // A removal names the person by a login or an email: the accounts found, and the work email for directories.
  const handles = new Set([...accounts].flatMap((l) => [`login:${l}`, `email:${l}`]));
  if (person.email && system.source.matchBy === 'directory') {
    handles.add(`login:${person.email}`).add(`email:${person.email}`);
  }
  const removal = system.removals.find((r) => within(r.at) && r.handles.some((h) => handles.has(h)));
  if (removal) observed = true;
  // A removal undone (a later snapshot shows the account active) is not the end of access.
  const removalCounts = removal && (lastActive === null || lastActive.at <= removal.at);
  const endedAt = removalCounts ? removal.at : (endedSnapshot?.at ?? null);
  const searched = { from: iso(from), until: iso(until) };
  const common = {
    system: system.source.system,
    accounts: [...accounts].sort(),
    matchedBy,
    lastSeenActive: lastActive?.at ?? null,
    searched,
  };
  if (endedAt === null) {
    const slaPassed = input.now >= terminated + config.slaMinutes * MINUTE;
    const status = !observed ? 'not_observed' : !seen ? 'unmatched' : slaPassed ? 'still_active' : 'pending';
    return {
      ...common,
      status: status === 'not_observed' && !slaPassed ? 'pending' : status,
      endedAt: null,
      endedFrom: null,
      minutesFromTermination: null,
      evidence: null,
      joined: null,
    };
  }
  const shownBy = removalCounts
    ? { evidenceId: removal.evidenceId, sha256: removal.sha256, key: removal.key }
    : { evidenceId: endedSnapshot!.evidenceId, sha256: endedSnapshot!.sha256, key: endedSnapshot!.key };
  const elapsed = Date.parse(endedAt) - terminated;
  return {
    ...common,
    status: elapsed <= config.slaMinutes * MINUTE ? 'on_time' : 'late',
    endedAt,
    endedFrom: removalCounts ? 'removal_event' : 'snapshot',
    // Rounded up (and -0 made 0), so minutesFromTermination > slaMinutes exactly when late.
    minutesFromTermination: Math.ceil(elapsed / MINUTE) + 0,
    evidence: { evidenceId: shownBy.evidenceId, sha256: shownBy.sha256 },
    joined: shownBy.key,
  };
}

/** The systems a leaver must lose, with their snapshots and removals over `range`. */
async function readSystems(
  evidence: EvidenceReader,
  config: TimelinessConfig,
  leavers: LeaversConfig,
  range: { from: string; to: string },
): Promise<SystemEvidence[]> {
  const sources = accountSources('access');
  const removals = removalSources();
  const systems: SystemEvidence[] = [];
  for (const name of leavers.systems ?? [...sources.keys()]) {
    const source = sources.get(name);
    // The config was checked against the catalog when parsed; the catalog does not change in a process.
    if (!source)
      throw new CrosswalkError('CW_CONFIG_INVALID', `no registered kind lists the accounts of ${name}`);
    const connectorId = config.sources[sourceKey(name)];
    const removalSource = removals.get(name);
    systems.push({
      source,
      observations: await readObservations(
        evidence,
        source,
        { from: dayStart(Date.parse(range.from)), to: range.to },
        connectorId,
      ),
      removals: removalSource ? await readRemovals(evidence, config, removalSource, range) : [],
    });
  }
  return systems;
}

/** The HR roster entries read by `to` (the latest snapshot per connector over the span), for matching. */
export async function readRoster(
  evidence: EvidenceReader,
  config: TimelinessConfig,
  range: { from: string; to: string },
): Promise<Observation[]> {
  const latest = new Map<string, Observation>();
  for (const source of accountSources('employment').values()) {
    const observations = await readObservations(
      evidence,
      source,
      range,
      config.sources[sourceKey(source.system)],
    );
    for (const observation of observations) {
      if (observation.at < range.to) latest.set(`${source.system}/${observation.connectorId}`, observation);
    }
  }
  return [...latest.values()];
}

async function collectLeavers(ctx: CollectorContext<TimelinessConfig>): Promise<void> {
  const { evidence, config } = ctx;
  if (!evidence)
    throw new CrosswalkError('CW_INTERNAL', "the leaver join needs the runner's evidence reader");
  const leavers = config.leavers;
  if (!leavers) {
    ctx.log.info({}, 'leaver timeliness not configured (no `leavers` in the config)');
    return;
  }
  const now = ctx.clock.now().getTime();
  const lookahead = leavers.lookaheadDays * DAY;
  // Terminations up to a lookahead before the window are looked at again: their answer may have changed since.
  const range = { from: iso(Date.parse(ctx.window.since) - lookahead), to: ctx.window.until };
  const terminations = await readTerminations(evidence, config.sources, range);
  if (terminations.length === 0) {
    ctx.log.info({ ...range }, 'no HR terminations to join');
    return;
  }
  const first = Date.parse(terminations[0]!.terminatedAt);
  const last = Date.parse(terminations.at(-1)!.terminatedAt);
  const span = {
    from: iso(first - leavers.lookbehindDays * DAY),
    to: iso(Math.max(Math.min(now, last + lookahead), first)),
  };
  const systems = await readSystems(evidence, config, leavers, span);
  const roster = await readRoster(evidence, config, {
    from: dayStart(first - leavers.rosterLookbackDays * DAY),
    to: iso(now),
  });
  const people = hrPeople(
    roster.flatMap((o) => o.accounts),
    terminations.map((t) => ({ ...t, name: t.person.name ?? null })),
  );
  const matcher = new Matcher(people, leavers);
  const previous = await readPrevious(
    evidence,
    KIND,
    ctx.connectorId,
    { from: range.from, to: iso(last + 1) },
    (record) => (record.payload as Payload).termination.evidenceId,
  );
  const counts: Record<string, number> = {};
  for (const termination of terminations) {
    const person = people.find((p) => p.employeeId === termination.employeeId)!;
    const results = systems.map((system) =>
      leaverSystemResult({
        system,
        person,
        matcher,
        terminatedAt: termination.terminatedAt,
        now,
        config: leavers,
      }),
    );
    const answers: SystemResult[] = results.map(({ joined: _joined, ...result }) => result);
    const final =
      answers.every((s) => s.status === 'on_time' || s.status === 'late') ||
      now >= Date.parse(termination.terminatedAt) + lookahead;
    const ref = answerRef(termination.evidenceId, {
      systems: answers.map((s) => [s.system, s.status, s.evidence?.evidenceId ?? null, s.accounts]),
      final,
    });
    const replaced = replacedBy(
      previous.get(termination.evidenceId) ?? [],
      ref,
      (r) => (r.payload as Payload).supersedes,
    );
    const payload: Payload = {
      termination: {
        evidenceId: termination.evidenceId,
        sha256: termination.sha256,
        system: termination.system,
        employeeId: termination.employeeId,
        email: termination.email,
        person: termination.person,
        terminatedAt: termination.terminatedAt,
      },
      slaMinutes: leavers.slaMinutes,
      lookaheadDays: leavers.lookaheadDays,
      systems: answers,
      onTime: answers.every(
        (s) => s.status === 'on_time' || s.status === 'unmatched' || s.status === 'not_observed',
      ),
      stillActiveIn: answers.filter((s) => s.status === 'still_active').map((s) => s.system),
      unmatchedIn: answers.filter((s) => s.status === 'unmatched').map((s) => s.system),
      final,
      supersedes: replaced.id,
    };
    const actors: EmittedDraft['actors'] = [{ role: 'subject', person: termination.person }];
    const status = await ctx.emit({
      kind: KIND,
      occurredAt: termination.terminatedAt,
      owner: { people: [], controlOwner: config.controlOwner ?? null },
      actors,
      source: { system: 'crosswalk', instance: ctx.connectorId, ref, url: null },
      payload,
      requests: [
        read(termination.key),
        ...results.flatMap((r) => (r.joined ? [read(r.joined)] : [])),
        ...(replaced.record ? [read(evidence.keyOf(replaced.record.id))] : []),
      ],
    });
    const label = tally(counts, answers, final);
    if (status === 'stored')
      ctx.log.info({ employeeId: termination.employeeId, supersedes: replaced.id }, `leaver: ${label}`);
  }
  ctx.log.info({ terminations: terminations.length, outcomes: counts }, 'HR terminations joined');
}

/** Each HR termination joined to the leaver's accounts and removals in every system that lists accounts. */
export const leaverTimelinessCollector: CollectorDefinition<TimelinessConfig> = {
  id: 'leaver_timeliness',
  kind: KIND,
  description: 'HR terminations joined to when each leaver lost access in each system, against the SLA',
  collect: collectLeavers,
};

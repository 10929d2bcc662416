import {
  type CollectorContext,
  type CollectorDefinition,
  CrosswalkError,
  type EmittedDraft,
  type EvidenceKind,
  type EvidenceRecord,
  type PayloadOf,
} from '@crosswalk/core';
import type { TimelinessConfig } from './config.js';
import { type Identity, resolveIdentity } from './identity.js';
import { fromConnector, type Removal, readRemovals, removalSources } from './removals.js';
import { answerRef, read, readPrevious, replacedBy, tally } from './supersede.js';

type Payload = PayloadOf<'crosswalk.deprovisioning_timeliness'>;
type SystemResult = Payload['systems'][number];

const MINUTE = 60_000;
const DAY = 86_400_000;
const KIND = 'crosswalk.deprovisioning_timeliness' satisfies EvidenceKind;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * What an identity is searched by in a system, as its removal kinds declare: a directory's accounts by the
 * directory handles (the stored identity's `oktaLogins`, named when Okta was the only directory), an account with
 * a handle of its own by the account handles (`githubLogins`). Logins are often emails, so both forms are tried.
 */
function wanted(identity: Identity, matchBy: 'directory' | 'account'): Set<string> {
  const handles = matchBy === 'account' ? identity.githubLogins : identity.oktaLogins;
  return new Set(handles.flatMap((l) => [`login:${l}`, `email:${l}`]));
}

/**
 * One system's result for one ticket: the earliest removal of the person in [requested - lookbehind, until), where
 * until is the end of the lookahead or now, whichever is first.
 */
export function systemResult(input: {
  system: string;
  /** How the system's removal kinds say a person is looked for (RemovalDeclaration.matchBy). */
  matchBy: 'directory' | 'account';
  identity: Identity;
  removals: readonly Removal[];
  requestedAt: string;
  now: number;
  config: Pick<TimelinessConfig, 'slaMinutes' | 'lookaheadDays' | 'lookbehindDays'>;
}): SystemResult & { joined: Removal | null } {
  const requested = Date.parse(input.requestedAt);
  const from = requested - input.config.lookbehindDays * DAY;
  const until = Math.max(from, Math.min(input.now, requested + input.config.lookaheadDays * DAY));
  const handles = wanted(input.identity, input.matchBy);
  let joined: Removal | null = null;
  let matchedOn: string | null = null;
  for (const removal of input.removals) {
    const at = Date.parse(removal.at);
    if (at < from || at >= until) continue;
    const match = removal.handles.find((h) => handles.has(h));
    if (match) {
      joined = removal;
      matchedOn = match;
      break;
    }
  }
  const sla = input.config.slaMinutes * MINUTE;
  const searched = { from: iso(from), until: iso(until) };
  if (!joined) {
    return {
      system: input.system,
      // Nobody to look for is never pending: no removal can ever match.
      status: handles.size > 0 && input.now < requested + sla ? 'pending' : 'not_found',
      removal: null,
      deprovisionedAt: null,
      minutesToDeprovision: null,
      removedBy: null,
      matchedOn: null,
      searched,
      joined: null,
    };
  }
  const elapsed = Date.parse(joined.at) - requested;
  return {
    system: input.system,
    status: elapsed <= sla ? 'on_time' : 'late',
    removal: { evidenceId: joined.evidenceId, sha256: joined.sha256 },
    deprovisionedAt: joined.at,
    // Rounded up (and -0 made 0), so minutesToDeprovision > slaMinutes exactly when the removal was late.
    minutesToDeprovision: Math.ceil(elapsed / MINUTE) + 0,
    removedBy: joined.removedBy,
    matchedOn,
    searched,
    joined,
  };
}

async function collectTimeliness(ctx: CollectorContext<TimelinessConfig>): Promise<void> {
  const evidence = ctx.evidence;
  if (!evidence)
    throw new CrosswalkError('CW_INTERNAL', "the timeliness join needs the runner's evidence reader");
  const { config } = ctx;
  const now = ctx.clock.now().getTime();
  const lookahead = config.lookaheadDays * DAY;
  // Tickets resolved up to a lookahead before the window are looked at again: their answer may have changed since.
  const ticketRange = { from: iso(Date.parse(ctx.window.since) - lookahead), to: ctx.window.until };
  const tickets: EvidenceRecord<'jira.deprovisioning_ticket'>[] = [];
  for await (const record of evidence.list('jira.deprovisioning_ticket', ticketRange)) {
    if (fromConnector(record, config.sources.jiraConnectorId)) {
      tickets.push(record as EvidenceRecord<'jira.deprovisioning_ticket'>);
    }
  }
  if (tickets.length === 0) {
    ctx.log.info({ ...ticketRange }, 'no deprovisioning tickets to join');
    return;
  }
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const ticket of tickets) {
    const requested = Date.parse(ticket.payload.createdAt);
    first = Math.min(first, requested);
    last = Math.max(last, requested);
  }
  // One read of each removal kind covers every ticket's search span.
  const removalRange = {
    from: iso(first - config.lookbehindDays * DAY),
    to: iso(Math.max(Math.min(now, last + lookahead), first)),
  };
  const sources = removalSources();
  const removals = new Map<string, Removal[]>();
  for (const system of config.systems) {
    const source = sources.get(system);
    // The config was checked against the catalog when parsed; the catalog does not change in a process.
    if (!source)
      throw new CrosswalkError('CW_CONFIG_INVALID', `no registered kind records removals in ${system}`);
    removals.set(system, await readRemovals(evidence, config, source, removalRange));
  }
  const previous = await readPrevious(
    evidence,
    KIND,
    ctx.connectorId,
    { from: ticketRange.from, to: iso(Date.parse(tickets.at(-1)!.occurredAt) + 1) },
    (record) => (record.payload as Payload).ticket.evidenceId,
  );
  const counts: Record<string, number> = {};

  for (const ticket of tickets) {
    const identity = resolveIdentity(ticket.payload.subject, config.identityMap);
    const results = config.systems.map((system) =>
      systemResult({
        system,
        matchBy: sources.get(system)!.kinds[0]!.removal.matchBy,
        identity,
        removals: removals.get(system)!,
        requestedAt: ticket.payload.createdAt,
        now,
        config,
      }),
    );
    const systems: SystemResult[] = results.map(({ joined: _joined, ...result }) => result);
    const found = systems.every((s) => s.removal !== null);
    const final = found || now >= Date.parse(ticket.payload.createdAt) + lookahead;
    const outcome = {
      systems: systems.map((s) => [s.system, s.status, s.removal?.evidenceId ?? null]),
      final,
    };
    const ref = answerRef(ticket.id, outcome);
    const { id: replaced, record: replacedRecord } = replacedBy(
      previous.get(ticket.id) ?? [],
      ref,
      (record) => (record.payload as Payload).supersedes ?? null,
    );

    const payload: Payload = {
      ticket: {
        key: ticket.payload.key,
        evidenceId: ticket.id,
        sha256: ticket.sha256,
        requestedAt: ticket.payload.createdAt,
        resolvedAt: ticket.payload.resolvedAt,
        url: ticket.source.url,
      },
      subject: ticket.payload.subject,
      identity,
      slaMinutes: config.slaMinutes,
      lookaheadDays: config.lookaheadDays,
      systems,
      onTime: systems.every((s) => s.status === 'on_time'),
      final,
      supersedes: replaced,
    };
    const actors: EmittedDraft['actors'] = [];
    if (ticket.payload.subject) actors.push({ role: 'subject', person: ticket.payload.subject });
    for (const result of systems) {
      if (result.removedBy) actors.push({ role: `${result.system}_removed_by`, person: result.removedBy });
    }
    const status = await ctx.emit({
      kind: KIND,
      occurredAt: ticket.occurredAt,
      owner: {
        people: ticket.owner.people,
        controlOwner: config.controlOwner ?? ticket.owner.controlOwner,
      },
      actors,
      source: { system: 'crosswalk', instance: ctx.connectorId, ref, url: null },
      payload,
      // The records joined, by locker key: what an auditor re-reads to check the answer.
      requests: [
        read(evidence.keyOf(ticket.id)),
        ...results.flatMap((r) => (r.joined ? [read(r.joined.key)] : [])),
        ...(replacedRecord ? [read(evidence.keyOf(replacedRecord.id))] : []),
      ],
    });
    const label = tally(counts, systems, final);
    if (status === 'stored') {
      ctx.log.info(
        { ticket: ticket.payload.key, supersedes: replaced },
        `deprovisioning timeliness: ${label}`,
      );
    }
  }
  ctx.log.info({ tickets: tickets.length, outcomes: counts }, 'deprovisioning tickets joined');
}

/**
 * The collector: reads `jira.deprovisioning_ticket` records through the context's evidence reader and joins each
 * to the removals of the same person in each configured system, read through the removal declarations of the
 * kinds of the `deprovisioning_offboarding` category (Okta's deactivations, GitHub's organization removals, ...).
 */
export const deprovisioningTimelinessCollector: CollectorDefinition<TimelinessConfig> = {
  id: 'deprovisioning_timeliness',
  kind: KIND,
  description:
    'Deprovisioning tickets joined to the removals of the same person in each configured system, timed against the SLA',
  collect: (ctx) => collectTimeliness(ctx),
};

import {
  type CollectorContext,
  type CollectorDefinition,
  CrosswalkError,
  type EmittedDraft,
  type EvidenceKind,
  type EvidenceReader,
  type EvidenceRecord,
  kindDeclaration,
  kindsOfCategory,
  type PayloadOf,
  type RemovalRequestDeclaration,
  type RemovalRequestFacts,
} from '@crosswalk/core';
import type { TimelinessConfig } from './config.js';
import { type Identity, resolveIdentity } from './identity.js';
import {
  DEPROVISIONING,
  fromConnector,
  type Removal,
  readRemovals,
  removalSources,
  sourceKey,
} from './removals.js';
import { answerRef, read, readPrevious, replacedBy, tally } from './supersede.js';

type Payload = PayloadOf<'crosswalk.deprovisioning_timeliness'>;
type SystemResult = Payload['systems'][number];

const MINUTE = 60_000;
const DAY = 86_400_000;
const KIND = 'crosswalk.deprovisioning_timeliness' satisfies EvidenceKind;

const iso = (ms: number) => new Date(ms).toISOString();

/** A request for removals (a ticket) with its facts, as its kind's `removalRequest` declaration reads them. */
type Ticket = EvidenceRecord & { request: RemovalRequestFacts };

/**
 * The requests for removals in `range`: records of the deprovisioning category's kinds that declare
 * `removalRequest` (Jira's deprovisioning tickets), from the connector `sources` names for their system, if any.
 */
async function readRequests(
  evidence: EvidenceReader,
  sources: TimelinessConfig['sources'],
  range: { from: string; to: string },
): Promise<Ticket[]> {
  const tickets: Ticket[] = [];
  for (const kind of kindsOfCategory(DEPROVISIONING)) {
    const declaration = kindDeclaration(kind);
    const request = declaration.removalRequest as RemovalRequestDeclaration | undefined;
    if (!request) continue;
    for await (const record of evidence.list(kind, range)) {
      if (fromConnector(record, sources[sourceKey(declaration.system)])) {
        tickets.push({ ...record, request: request.read(record.payload) });
      }
    }
  }
  return tickets.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
}

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
  const tickets = await readRequests(evidence, config.sources, ticketRange);
  if (tickets.length === 0) {
    ctx.log.info({ ...ticketRange }, 'no deprovisioning tickets to join');
    return;
  }
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const ticket of tickets) {
    const requested = Date.parse(ticket.request.requestedAt);
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
    const identity = resolveIdentity(ticket.request.subject, config.identityMap);
    const results = config.systems.map((system) =>
      systemResult({
        system,
        matchBy: sources.get(system)!.kinds[0]!.removal.matchBy,
        identity,
        removals: removals.get(system)!,
        requestedAt: ticket.request.requestedAt,
        now,
        config,
      }),
    );
    const systems: SystemResult[] = results.map(({ joined: _joined, ...result }) => result);
    const found = systems.every((s) => s.removal !== null);
    const final = found || now >= Date.parse(ticket.request.requestedAt) + lookahead;
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
        key: ticket.request.key,
        evidenceId: ticket.id,
        sha256: ticket.sha256,
        requestedAt: ticket.request.requestedAt,
        resolvedAt: ticket.request.resolvedAt,
        url: ticket.source.url,
      },
      subject: ticket.request.subject,
      identity,
      slaMinutes: config.slaMinutes,
      lookaheadDays: config.lookaheadDays,
      systems,
      onTime: systems.every((s) => s.status === 'on_time'),
      final,
      supersedes: replaced,
    };
    const actors: EmittedDraft['actors'] = [];
    if (ticket.request.subject) actors.push({ role: 'subject', person: ticket.request.subject });
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
        { ticket: ticket.request.key, supersedes: replaced },
        `deprovisioning timeliness: ${label}`,
      );
    }
  }
  ctx.log.info({ tickets: tickets.length, outcomes: counts }, 'deprovisioning tickets joined');
}

/**
 * The collector: reads the requests for removals (kinds declaring `removalRequest`: Jira's deprovisioning tickets)
 * through the context's evidence reader and joins each
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

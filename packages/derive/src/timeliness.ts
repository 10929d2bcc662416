import {
  type CollectorContext,
  type CollectorDefinition,
  CrosswalkError,
  canonicalSha256,
  defineConnector,
  type EmittedDraft,
  type EvidenceKind,
  type EvidenceReader,
  type EvidenceRecord,
  type PayloadOf,
  type Person,
  type ProvenanceRequest,
} from '@crosswalk/core';
import { type TimelinessConfig, timelinessConfigSchema } from './config.js';
import { type Identity, resolveIdentity } from './identity.js';
import { derivedKinds } from './kinds.js';
import { type RemovalSource, removalSources, sourceKey } from './removals.js';
import { VERSION } from './version.js';

type Payload = PayloadOf<'crosswalk.deprovisioning_timeliness'>;
type SystemResult = Payload['systems'][number];

const MINUTE = 60_000;
const DAY = 86_400_000;
const KIND = 'crosswalk.deprovisioning_timeliness' satisfies EvidenceKind;

/** A removal read from the locker, reduced to what the join needs. */
interface Removal {
  evidenceId: string;
  sha256: string;
  key: string;
  at: string;
  /** Lower-cased handles the removed person goes by, each as `login:x` or `email:x`. */
  handles: string[];
  removedBy: Person | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

function handlesOf(person: Person): string[] {
  const handles: string[] = [];
  if (person.login) handles.push(`login:${person.login.toLowerCase()}`);
  if (person.email) handles.push(`email:${person.email.toLowerCase()}`);
  return handles;
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

/** The actions that count as a removal in a system: configured, or as its kind declares (undefined: all). */
function removalActions(
  config: TimelinessConfig,
  system: string,
  declared: readonly string[] | undefined,
): ReadonlySet<string> | undefined {
  const configured = config.removalActions[system] ?? (system === 'okta' ? config.oktaEventTypes : undefined);
  const actions = configured ?? declared;
  return actions ? new Set(actions) : undefined;
}

function fromConnector(record: EvidenceRecord, connectorId: string | undefined): boolean {
  return connectorId === undefined || record.provenance.connector.id === connectorId;
}

/**
 * The removals of one system in `range`, read through each of its kinds' removal declarations (the kinds of the
 * deprovisioning category that declare one), in occurredAt order per kind.
 */
async function readRemovals(
  evidence: EvidenceReader,
  config: TimelinessConfig,
  source: RemovalSource,
  range: { from: string; to: string },
): Promise<Removal[]> {
  const removals: Removal[] = [];
  for (const { kind, removal } of source.kinds) {
    const actions = removalActions(config, source.system, removal.actions);
    for await (const record of evidence.list(kind, range)) {
      if (!fromConnector(record, config.sources[sourceKey(source.system)])) continue;
      const facts = removal.read(record.payload);
      if (!facts || (actions && !actions.has(facts.action))) continue;
      removals.push({
        evidenceId: record.id,
        sha256: record.sha256,
        key: evidence.keyOf(record.id),
        at: record.occurredAt,
        handles: handlesOf(facts.removed),
        removedBy: facts.removedBy,
      });
    }
  }
  // Several kinds of one system: the earliest removal first, as one kind's records come.
  if (source.kinds.length > 1) removals.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return removals;
}

/** Earlier records of this kind for each ticket, by the ticket's evidence id. */
async function readPrevious(
  evidence: EvidenceReader,
  connectorId: string,
  range: { from: string; to: string },
): Promise<Map<string, EvidenceRecord[]>> {
  const byTicket = new Map<string, EvidenceRecord[]>();
  for await (const record of evidence.list(KIND, range)) {
    if (record.source.instance !== connectorId) continue;
    const ticketId = (record.payload as Payload).ticket.evidenceId;
    byTicket.set(ticketId, [...(byTicket.get(ticketId) ?? []), record]);
  }
  return byTicket;
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

const read = (key: string): ProvenanceRequest => ({ method: 'GET', path: key, status: 200, requestId: null });

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
  const previous = await readPrevious(evidence, ctx.connectorId, {
    from: ticketRange.from,
    to: iso(Date.parse(tickets.at(-1)!.occurredAt) + 1),
  });
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
    const ref = `${ticket.id}/${canonicalSha256(outcome).slice(0, 16)}`;
    const earlier = (previous.get(ticket.id) ?? []).sort((a, b) =>
      a.collectedAt === b.collectedAt ? a.id.localeCompare(b.id) : a.collectedAt < b.collectedAt ? -1 : 1,
    );
    const same = earlier.find((r) => r.source.ref === ref);
    const replaced = same
      ? ((same.payload as Payload).supersedes ?? null)
      : (earlier.filter((r) => r.source.ref !== ref).at(-1)?.id ?? null);
    const replacedRecord = earlier.find((r) => r.id === replaced);

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
    const label = `${systems.map((s) => `${s.system}:${s.status}`).join(' ')}${final ? ' final' : ''}`;
    counts[label] = (counts[label] ?? 0) + 1;
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

/**
 * Crosswalk's derived evidence as a connector, so it runs through `runConnector` like any other: config validated
 * before anything is read, a run manifest in the chain, cursors, controls and provenance stamped by the runner,
 * and the evidence it joins read through the runner's evidence reader.
 * @example
 * await runConnector({ connector: derivedConnector, connectorId: 'timeliness', locker, trigger,
 *   config: { type: 'crosswalk', slaMinutes: 1440, sources: { jiraConnectorId: 'jira-acme' } } });
 */
export const derivedConnector = defineConnector({
  type: 'crosswalk',
  version: VERSION,
  title: 'Crosswalk derived evidence',
  kinds: derivedKinds,
  configSchema: timelinessConfigSchema,
  collectors: [deprovisioningTimelinessCollector],
});

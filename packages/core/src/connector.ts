import type { z } from 'zod';
import type { Clock } from './clock.js';
import { CrosswalkError } from './errors.js';
import { type Cadence, type EvidenceKind, type KindDeclaration, kindDeclaration } from './kinds.js';
import type { EvidenceDraft, EvidenceRecord, ProvenanceRequest, Trigger } from './record.js';
import type { WebhookSenderDeclaration } from './webhook-sender.js';

/** A half-open window [since, until) of source time, in UTC timestamps. */
export interface CollectionWindow {
  since: string;
  until: string;
}

/**
 * The `event` field a collector logs when it waits for a source rate limit to reset, so services can count
 * waits (metrics) without parsing messages.
 */
export const RATE_LIMIT_WAIT_EVENT = 'rate_limit_wait';

/** What a collector may log: structured, and never a secret (the logger redacts known secret fields too). */
export interface CollectorLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

/** A draft as a collector emits it: the runner adds collectedAt, controls and provenance. */
export type EmittedDraft<K extends EvidenceKind = EvidenceKind> = Omit<
  EvidenceDraft<K>,
  'collectedAt' | 'controls' | 'provenance'
> & {
  /** The source requests that produced this item (method, path without secrets, status, request id). */
  requests: ProvenanceRequest[];
};

/**
 * Read access to evidence already stored, for collectors that derive evidence from other evidence (a join
 * across systems). Records come verified, in occurredAt order, over [from, to).
 */
export interface EvidenceReader {
  list(kind: EvidenceKind, range: { from: string; to: string }): AsyncIterable<EvidenceRecord>;
  /** Where a record is stored (its locker key), for provenance that points at what was read. */
  keyOf(id: string): string;
}

export interface CollectorContext<Config, Cursor = unknown> {
  /** The connector's config, already validated by its configSchema and frozen. */
  config: Readonly<Config>;
  connectorId: string;
  window: CollectionWindow;
  /** Narrows a collection (set by a webhook: e.g. `{ repository: 'acme/api', number: '42' }`); empty on schedules. */
  filter: Readonly<Record<string, string>>;
  /**
   * The cursor this collector saved last time, or undefined on its first run. Checked against the collector's
   * `cursorSchema` before the collector runs.
   */
  cursor: Cursor | undefined;
  /** Persists a cursor; the runner checks it and writes it to the locker once the run's records are stored. */
  saveCursor(cursor: Cursor): void;
  /**
   * Hands one item to the runner, which stamps id, storedAt and hash and writes it once.
   * Resolves to whether it was new (`stored`) or already in the locker (`duplicate`).
   */
  emit<K extends EvidenceKind>(
    draft: Omit<EvidenceDraft<K>, 'collectedAt' | 'controls' | 'provenance'> & {
      requests: ProvenanceRequest[];
    },
  ): Promise<'stored' | 'duplicate'>;
  /**
   * Evidence already in the locker. The runner always provides it; source collectors ignore it and their tests
   * may leave it out, derived collectors read through it.
   */
  evidence?: EvidenceReader;
  trigger: Trigger;
  runId: string;
  clock: Clock;
  log: CollectorLogger;
  signal: AbortSignal;
}

export interface CollectorDefinition<Config, Cursor = unknown> {
  /** Unique inside the connector, e.g. `pull_request_approvals`. */
  id: string;
  kind: EvidenceKind;
  /** Defaults to the kind's cadence. */
  cadence?: Cadence;
  description: string;
  /**
   * Why this collector has nothing to do under a config, e.g. `no JQL configured for kinds.access_review`; undefined
   * when it is configured. The runner skips such a collector and says so, instead of running it to report
   * "succeeded, 0 stored" (which, with the source unreachable, would hide that nothing was ever asked of it).
   */
  notConfigured?(config: Config): string | undefined;
  /**
   * The shape of the cursor the collector saves, a JSON value. The runner checks the stored cursor against it
   * before the collector runs (one that does not match fails the collector with CW_LOCKER_CORRUPT naming the
   * field, instead of a collector reading a field that is not there) and checks each saved one before keeping it.
   * Absent: the cursor is kept unchecked (every built-in collector that keeps one declares its schema).
   */
  cursorSchema?: z.ZodType<Cursor>;
  /**
   * How many days back the source still keeps what this collector reads (the Google Reports API: 180). A window
   * reaching further back cannot be read whole: the runner says so in the run's manifest
   * (`sourceUnavailableBefore`), and coverage names the days the source can no longer give. Absent: the source
   * keeps everything, or its limit is not known.
   */
  sourceRetentionDays?: number;
  /** Resolves to what the collector learnt of its source beyond the items (nothing, for most collectors). */
  // biome-ignore lint/suspicious/noConfusingVoidType: most collectors return nothing; void keeps them as they are.
  collect(context: CollectorContext<Config, Cursor>): Promise<void | CollectOutcome>;
}

export interface CollectOutcome {
  /**
   * The source's own count of the items in the collector's window, where the source reports one (GitHub search's
   * `issueCount`), for the IPE pack to reconcile with what the run stored. Left out when the source gives none.
   */
  sourceTotal?: number;
}

/** A webhook delivery, already authenticated by the service (signature, secret) before a connector sees it. */
export interface WebhookDelivery {
  /** The sender's event name, e.g. GitHub's `X-GitHub-Event` (`pull_request`, `organization`). */
  event: string;
  deliveryId: string;
  payload: unknown;
  receivedAt: string;
}

/**
 * What a delivery asks for: items the payload itself proves (stored as they are), and/or collections to run now
 * (one collector, optionally narrowed by a filter the collector understands, e.g. one pull request).
 * An event the connector does not handle yields neither and is acknowledged and ignored.
 */
export interface WebhookOutcome {
  emit: EmittedDraft[];
  collect: { collector: string; window?: CollectionWindow; filter?: Record<string, string> }[];
}

export interface ConnectorDefinition<Schema extends z.ZodType = z.ZodType> {
  /** The connector type, e.g. `github`; a config names it. */
  type: string;
  /** Stamped into every record's provenance. */
  version: string;
  title: string;
  /** Strict zod schema: an unknown or malformed field is rejected before any request is made. */
  configSchema: Schema;
  /**
   * The evidence kinds the connector produces, declared with `defineKinds` in its own folder (kinds.ts); the
   * registry registers them into core's catalog when it composes. A collector may also emit a kind another
   * registered connector declares (test toys do); the registry checks every collector's kind exists.
   */
  kinds?: Readonly<Record<string, KindDeclaration>>;
  collectors: readonly CollectorDefinition<z.infer<Schema>>[];
  /** How the source's webhook deliveries are authenticated and read; declared with `handleWebhook`. */
  webhook?: WebhookSenderDeclaration;
  /** Turns an authenticated delivery into evidence or collection requests; absent when the source has no hooks. */
  handleWebhook?: (delivery: WebhookDelivery, config: Readonly<z.infer<Schema>>) => WebhookOutcome;
}

/**
 * Declares a connector. An identity function with checks: it catches a duplicate collector id or a kind named for
 * another system when the module loads, not in the middle of a run. It reads nothing from the kind catalog (the
 * registry has not registered the kinds yet when connector modules load); the registry checks collectors' kinds.
 * @example
 * export default defineConnector({ type: 'github', version: '1.0.0', title: 'GitHub',
 *   configSchema: z.object({ org: z.string() }).strict(), collectors: [pullRequestApprovals] });
 */
export function defineConnector<Schema extends z.ZodType>(
  definition: ConnectorDefinition<Schema>,
): ConnectorDefinition<Schema> {
  const seen = new Set<string>();
  for (const collector of definition.collectors) {
    if (seen.has(collector.id)) {
      throw new CrosswalkError(
        'CW_CONFIG_INVALID',
        `connector ${definition.type} declares collector "${collector.id}" twice`,
      );
    }
    seen.add(collector.id);
  }
  // The kind's name says whose it is: ids, the locker's layout and the export's folders start with it. Kind
  // names have no hyphen, so `google-workspace` names its kinds `google_workspace.*`.
  const prefix = `${definition.type.replaceAll('-', '_')}.`;
  for (const kind of Object.keys(definition.kinds ?? {})) {
    if (!kind.startsWith(prefix)) {
      throw new CrosswalkError(
        'CW_CONFIG_INVALID',
        `connector ${definition.type} declares kind "${kind}": its name must start with "${prefix}"`,
      );
    }
  }
  if (Boolean(definition.webhook) !== Boolean(definition.handleWebhook)) {
    throw new CrosswalkError(
      'CW_CONFIG_INVALID',
      `connector ${definition.type} must declare its webhook sender and handleWebhook together`,
    );
  }
  const webhook = definition.webhook;
  if (webhook) {
    const named = [
      ...('header' in webhook.authentication ? [webhook.authentication.header] : []),
      ...('header' in webhook.deliveryId ? [webhook.deliveryId.header] : []),
      ...('header' in webhook.event ? [webhook.event.header] : []),
    ];
    for (const name of [
      ...named,
      ...Object.keys(webhook.headers),
      ...(webhook.challenge && 'header' in webhook.challenge ? [webhook.challenge.header] : []),
    ]) {
      // Node lower-cases incoming header names; a declared `X-Hub-Signature` would never be found.
      if (name !== name.toLowerCase()) {
        throw new CrosswalkError(
          'CW_CONFIG_INVALID',
          `connector ${definition.type} names header "${name}": use lower case`,
        );
      }
    }
    for (const name of named) {
      if (!Object.hasOwn(webhook.headers, name)) {
        throw new CrosswalkError(
          'CW_CONFIG_INVALID',
          `connector ${definition.type} reads header "${name}" but does not document it`,
        );
      }
    }
  }
  return Object.freeze({ ...definition, collectors: Object.freeze([...definition.collectors]) });
}

export function collectorCadence(collector: Pick<CollectorDefinition<unknown>, 'kind' | 'cadence'>): Cadence {
  return collector.cadence ?? kindDeclaration(collector.kind).cadence;
}

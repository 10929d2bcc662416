import { z } from 'zod';
import type { AccountsDeclaration, RemovalRequestDeclaration, TerminationDeclaration } from './accounts.js';
import { CrosswalkError } from './errors.js';
import type { Person } from './person.js';

/**
 * The evidence kinds a process knows. Each connector declares its own kinds in its folder (`defineKinds`); the
 * composition (services/runtime's registry) registers them here once, at start, before any record is read. Every
 * reader of a record (ids, payload validation, cadence, controls) asks this catalog, so a kind means the same in
 * the CLI, the API and the worker. The catalog is sealed at its first read: a registration after that, or a kind
 * registered twice, throws instead of changing what a stored record means in the middle of a process.
 */

/**
 * How often evidence of a kind is expected to appear. Coverage reads it: an `event` kind has no expected count, a
 * `daily` snapshot is expected every day, a `quarterly` review every quarter.
 */
export type Cadence = 'event' | 'daily' | 'quarterly';

/**
 * Who lost access in a record of a kind that evidences deprovisioning, as the record states it. The removal's time
 * is the record's occurredAt.
 */
export interface RemovalFacts {
  /** The person whose access was removed. */
  removed: Person;
  /** Who removed it; null when the source does not say (an automation, a deleted admin). */
  removedBy: Person | null;
  /** What happened, in the source's terms (an Okta event type, `member_removed`), for the joins that filter on it. */
  action: string;
}

/**
 * How a kind that records removals of access is read by the joins that time deprovisioning (packages/derive):
 * they key on the category `deprovisioning_offboarding` and this declaration, never on a kind's name.
 */
export interface RemovalDeclaration<Payload = unknown> {
  /** The facts of one record, or null for a record that removed nothing (a failed attempt, a provisioning event). */
  read(payload: Payload): RemovalFacts | null;
  /**
   * How a person is looked for among the removals. `directory`: an identity provider's account, found by the
   * person's email, or the login a ticket gave (its logins usually are emails). `account`: an account with a handle
   * of its own (a code host's login), found by the login a ticket gave or the email's local part.
   */
  matchBy: 'directory' | 'account';
  /** The actions (`RemovalFacts.action`) that count as a removal unless a join configures its own; absent: all. */
  actions?: readonly string[];
}

/**
 * For kinds that can hold several answers about one subject (derived evidence that is recomputed): what the
 * answers are about, and which earlier answer a record replaces. Events and snapshots declare none.
 */
export interface SupersessionDeclaration<Payload = unknown> {
  subjectOf(payload: Payload): string;
  supersedesOf(payload: Payload): string | null;
}

/** What a connector declares about one kind of evidence it produces. */
export interface KindDeclaration<Schema extends z.ZodType = z.ZodType> {
  cadence: Cadence;
  /** One line an auditor reads in coverage and the export's README. */
  title: string;
  /** The payload's zod schema: every stored record of the kind is checked against it when read. */
  payload: Schema;
  /**
   * The system-neutral evidence categories the kind evidences (ids of @crosswalk/controls'
   * data/evidence-categories.json); controls map categories, never kinds, to controls.
   */
  categories: readonly string[];
  /** Kinds of the `deprovisioning_offboarding` category that record a removal of access say how to read one. */
  removal?: RemovalDeclaration<z.output<Schema>>;
  /** Snapshot kinds that list accounts (or an HR roster) say how to read them (see accounts.ts). */
  accounts?: AccountsDeclaration<z.output<Schema>>;
  /** Kinds of the `deprovisioning_offboarding` category that record a request for removals say how to read one. */
  removalRequest?: RemovalRequestDeclaration<z.output<Schema>>;
  /** Kinds of the `deprovisioning_offboarding` category that record an HR termination say how to read one. */
  termination?: TerminationDeclaration<z.output<Schema>>;
  supersession?: SupersessionDeclaration<z.output<Schema>>;
}

/**
 * Kind name -> payload type, for the type checker. Each connector adds its kinds by declaration merging, next to
 * its declaration:
 * @example
 * declare module '@crosswalk/core' { interface EvidenceKindPayloads extends PayloadsOf<typeof githubKinds> {} }
 */
// biome-ignore lint/suspicious/noEmptyInterface: connectors fill it by declaration merging.
export interface EvidenceKindPayloads {}

export type EvidenceKind = keyof EvidenceKindPayloads & string;
export type PayloadOf<K extends EvidenceKind> = EvidenceKindPayloads[K];

/** The payload types of a set of declared kinds, for `EvidenceKindPayloads`. */
export type PayloadsOf<Kinds extends { readonly [name: string]: KindDeclaration }> = {
  [Name in keyof Kinds]: z.output<Kinds[Name]['payload']>;
};

const KIND_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/**
 * Declares a connector's kinds: names are `<system>.<what>` (the system as records name it in `source.system`),
 * lower case. Checks each declaration when the module loads; registers nothing.
 * @example
 * export const githubKinds = defineKinds({
 *   'github.member_removed': { cadence: 'event', title: 'Member removed', payload: memberRemovedSchema,
 *     categories: ['deprovisioning_offboarding'] },
 * });
 */
export function defineKinds<const Schemas extends Record<string, z.ZodType>>(
  kinds: {
    [Name in keyof Schemas]: KindDeclaration<Schemas[Name]>;
  },
): { readonly [Name in keyof Schemas]: KindDeclaration<Schemas[Name]> } {
  for (const [name, declaration] of Object.entries(kinds) as [string, KindDeclaration][]) {
    if (!KIND_NAME.test(name)) {
      throw new CrosswalkError(
        'CW_CONFIG_INVALID',
        `kind "${name}" must be named <system>.<what>, lower case`,
      );
    }
    if (declaration.categories.length === 0) {
      throw new CrosswalkError('CW_CONFIG_INVALID', `kind "${name}" names no evidence category`);
    }
  }
  return Object.freeze({ ...kinds });
}

/** A declaration as the catalog holds it: with the connector type that declared it (a record's `source.system`). */
export interface RegisteredKind extends KindDeclaration {
  readonly system: string;
}

const catalog = new Map<string, RegisteredKind>();
let sealed = false;

/**
 * Adds a connector's kinds to the catalog. Only the composition calls it, once per connector, before any record
 * is read; `system` is the connector's type, which its records name as `source.system`.
 * @throws CrosswalkError CW_CONFIG_INVALID when the catalog has been read already or a kind is registered twice
 */
export function registerKinds(system: string, kinds: Readonly<Record<string, KindDeclaration>>): void {
  const names = Object.keys(kinds);
  for (const name of names) {
    if (catalog.has(name)) {
      throw new CrosswalkError('CW_CONFIG_INVALID', `evidence kind "${name}" is registered twice`);
    }
  }
  if (sealed) {
    throw new CrosswalkError(
      'CW_CONFIG_INVALID',
      `kinds ${names.join(', ')} registered after the kind catalog was first read: register every connector before reading a record`,
    );
  }
  for (const name of names) catalog.set(name, Object.freeze({ ...kinds[name]!, system }));
}

function read(): Map<string, RegisteredKind> {
  sealed = true;
  return catalog;
}

/** Every registered kind, in registration order. */
export function evidenceKindIds(): readonly EvidenceKind[] {
  return [...read().keys()] as EvidenceKind[];
}

export function isEvidenceKind(value: string): value is EvidenceKind {
  return read().has(value);
}

/**
 * A registered kind's declaration.
 * @throws CrosswalkError CW_KIND_UNKNOWN naming the kind and the known ones
 */
export function kindDeclaration(kind: string): RegisteredKind {
  const declaration = read().get(kind);
  if (!declaration) {
    throw new CrosswalkError(
      'CW_KIND_UNKNOWN',
      `Unknown evidence kind "${kind}": expected one of ${[...catalog.keys()].join(', ')}`,
      { where: kind },
    );
  }
  return declaration;
}

/** Registered kinds that evidence a category, in registration order. */
export function kindsOfCategory(category: string): readonly EvidenceKind[] {
  return [...read()].filter(([, d]) => d.categories.includes(category)).map(([name]) => name as EvidenceKind);
}

/**
 * A kind name in a request or a file, checked against the catalog when parsed (not when the module loads, which may
 * be before the composition registered the kinds).
 */
export const evidenceKindSchema = z.string().superRefine((value, context) => {
  if (!isEvidenceKind(value)) {
    context.addIssue({ code: 'custom', message: `must be one of ${evidenceKindIds().join(', ')}` });
  }
}) as unknown as z.ZodType<EvidenceKind, string>;

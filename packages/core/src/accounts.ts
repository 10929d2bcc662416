import type { Person } from './person.js';

/**
 * One account as a snapshot of its system lists it, reduced to what the leaver and orphaned-account joins
 * (packages/derive) match people on. For an HR roster, one person the company employs or employed.
 */
export interface AccountFacts {
  /** The account's own handle in its system (a login, a user principal name, an email used as login). */
  login: string;
  /** The email the system records for the account, when it records one. */
  email: string | null;
  /**
   * The company's employee identifier as HR assigns it and other systems copy it (Entra's `employeeId`, Okta's
   * `employeeNumber`); null when the system carries none.
   */
  employeeId: string | null;
  /** Display name, for an auditor reading an account that matched no one. */
  name: string | null;
  /**
   * Whether the account can still be used: false once suspended, disabled, deprovisioned or archived. For an HR
   * roster: whether the person is employed as the snapshot says.
   */
  active: boolean;
  /** When access or employment ended, where the source records it (HR: the termination taking effect), in UTC. */
  endedAt: string | null;
}

/**
 * How a snapshot kind lists accounts, for the joins that match people across systems: who still has access after
 * leaving (leaver timeliness), and which active accounts belong to leavers or to no one HR knows (orphaned
 * accounts). The joins find every kind that declares one; they never name a kind or a vendor.
 */
export interface AccountsDeclaration<Payload = unknown> {
  /** Every account the record lists, active or not. */
  read(payload: Payload): AccountFacts[];
  /**
   * `access`: accounts people sign in or act with (an identity provider's users, a code host's members), which a
   * leaver must lose. `employment`: an HR roster, the people the company employs or employed, which every other
   * system's accounts are matched to.
   */
  holds: 'access' | 'employment';
  /**
   * How a person is looked for, as in RemovalDeclaration: `directory` by email (its logins usually are emails),
   * `account` by a login of its own (a code host's), through the joins' configured identity rules.
   */
  matchBy: 'directory' | 'account';
}

/**
 * One termination as HR records it, for the leaver join. The kind that declares it is of the
 * `deprovisioning_offboarding` category; the join finds it by this declaration, never by its name.
 */
export interface TerminationFacts {
  /** The person who left, as HR names them. */
  person: Person;
  /** The company's employee identifier (as AccountFacts.employeeId); HR's own id when the company keeps none. */
  employeeId: string;
  email: string | null;
  /** When the employment ended, in UTC: the clock for "minutes from termination" starts here. */
  terminatedAt: string;
}

export interface TerminationDeclaration<Payload = unknown> {
  /** The facts of one record, or null for a record that terminated no one (a cancelled termination). */
  read(payload: Payload): TerminationFacts | null;
}

/**
 * A record's person as account facts: the login falls back to the email, then the system's id, so every account
 * has a handle an auditor can look up.
 * @example accountOf(user.person, user.status !== 'SUSPENDED')
 */
export function accountOf(
  person: Person,
  active: boolean,
  more: Partial<Omit<AccountFacts, 'login' | 'active'>> = {},
): AccountFacts {
  return {
    login: person.login ?? person.email ?? person.id ?? person.name ?? '',
    email: more.email !== undefined ? more.email : (person.email ?? null),
    employeeId: more.employeeId ?? null,
    name: more.name !== undefined ? more.name : (person.name ?? null),
    active,
    endedAt: more.endedAt ?? null,
  };
}

/** One request to remove someone's access (an offboarding ticket), for the ticket-based timeliness join. */
export interface RemovalRequestFacts {
  /** The request's key in its system (`IT-101`). */
  key: string;
  /** Whose access is to be removed; null when the request names no one. */
  subject: Person | null;
  /** When the removal was asked for (the clock starts here). */
  requestedAt: string;
  resolvedAt: string;
}

/** Kinds of the `deprovisioning_offboarding` category that record a request for removals say how to read one. */
export interface RemovalRequestDeclaration<Payload = unknown> {
  read(payload: Payload): RemovalRequestFacts;
}

import type { AccountFacts } from '@crosswalk/core';
import { DEFAULT_RULES, type LeaversConfig, type MatchRule } from './leavers-config.js';

/** Someone HR lists: from the roster (its `employment` accounts) or a termination. */
export interface HrPerson {
  employeeId: string;
  email: string | null;
  name: string | null;
  /** When their employment ended (the termination taking effect); null while employed. */
  endedAt: string | null;
}

/** Who an account belongs to, and by which rule (`alias` for a configured login). */
export interface AccountMatch {
  person: HrPerson;
  rule: MatchRule | 'alias';
}

const lower = (value: string | null | undefined) => (value ? value.trim().toLowerCase() : null);
const localPart = (email: string | null) => (email?.includes('@') ? email.split('@')[0]! : null);

/**
 * Matches accounts of any system to the people HR lists, by the configured rules. A person with an alias in a
 * system is found there by the alias only, so a look-alike login never stands in for them; a handle two people
 * share (two `j.smith@` in different domains) matches neither, and the account is listed as unmatched.
 */
export class Matcher {
  private readonly byEmployeeId = new Map<string, HrPerson | null>();
  private readonly byEmail = new Map<string, HrPerson | null>();
  private readonly byLocalPart = new Map<string, HrPerson | null>();
  /** system -> login -> person */
  private readonly aliases = new Map<string, Map<string, HrPerson>>();
  /** system -> employee ids of people with an alias there */
  private readonly aliased = new Map<string, Set<string>>();

  constructor(
    readonly people: readonly HrPerson[],
    private readonly config: Pick<LeaversConfig, 'rules' | 'aliases'>,
  ) {
    for (const person of people) {
      index(this.byEmployeeId, person.employeeId, person);
      index(this.byEmail, lower(person.email), person);
      index(this.byLocalPart, localPart(lower(person.email)), person);
    }
    for (const alias of config.aliases) {
      const person =
        (alias.employeeId !== undefined ? this.byEmployeeId.get(alias.employeeId) : undefined) ??
        (alias.email !== undefined ? this.byEmail.get(alias.email) : undefined);
      if (!person) continue;
      for (const [system, logins] of Object.entries(alias.logins)) {
        const bySystem = this.aliases.get(system) ?? new Map<string, HrPerson>();
        for (const login of logins) bySystem.set(login, person);
        this.aliases.set(system, bySystem);
        this.aliased.set(system, (this.aliased.get(system) ?? new Set()).add(person.employeeId));
      }
    }
  }

  /** The person an account of `system` belongs to, or null when no rule finds exactly one. */
  match(system: string, account: AccountFacts): AccountMatch | null {
    const login = lower(account.login);
    const alias = login ? this.aliases.get(system)?.get(login) : undefined;
    if (alias) return { person: alias, rule: 'alias' };
    const aliased = this.aliased.get(system);
    for (const rule of this.config.rules[system] ?? DEFAULT_RULES) {
      const person = this.byRule(rule, account);
      // A person found by their alias in this system is never found by a rule there.
      if (person && !aliased?.has(person.employeeId)) return { person, rule };
    }
    return null;
  }

  private byRule(rule: MatchRule, account: AccountFacts): HrPerson | null | undefined {
    switch (rule) {
      case 'employee_id':
        return account.employeeId ? this.byEmployeeId.get(account.employeeId) : undefined;
      case 'email':
        return (
          (account.email ? this.byEmail.get(lower(account.email)!) : undefined) ??
          this.byEmail.get(lower(account.login)!)
        );
      case 'email_local_part':
        return this.byLocalPart.get(lower(account.login)!);
    }
  }
}

/** Indexes a person by a handle; a handle two people share indexes no one (null). */
function index(map: Map<string, HrPerson | null>, handle: string | null, person: HrPerson): void {
  if (!handle) return;
  const existing = map.get(handle);
  map.set(handle, existing === undefined || existing?.employeeId === person.employeeId ? person : null);
}

/**
 * The people HR lists, from roster entries and terminations: one per employee id, the termination's endedAt where
 * the roster has none (a termination entered after the roster was read).
 */
export function hrPeople(
  roster: readonly AccountFacts[],
  terminations: readonly {
    employeeId: string;
    email: string | null;
    name: string | null;
    terminatedAt: string;
  }[],
): HrPerson[] {
  const people = new Map<string, HrPerson>();
  for (const entry of roster) {
    const employeeId = entry.employeeId ?? entry.login;
    people.set(employeeId, {
      employeeId,
      email: lower(entry.email),
      name: entry.name,
      // Inactive with no termination date: not employed, since an unknown time (judged as already ended).
      endedAt: entry.endedAt ?? (entry.active ? null : '1970-01-01T00:00:00.000Z'),
    });
  }
  for (const t of terminations) {
    const known = people.get(t.employeeId);
    if (known) {
      if (known.endedAt === null || known.endedAt === '1970-01-01T00:00:00.000Z')
        known.endedAt = t.terminatedAt;
    } else {
      people.set(t.employeeId, {
        employeeId: t.employeeId,
        email: lower(t.email),
        name: t.name,
        endedAt: t.terminatedAt,
      });
    }
  }
  return [...people.values()];
}

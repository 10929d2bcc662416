import type { Person } from '@crosswalk/core';
import type { TimelinessConfig } from './config.js';

/** Who to look for in each system, and how that was decided. */
export interface Identity {
  email: string | null;
  oktaLogins: string[];
  githubLogins: string[];
  /** Whether an identityMap entry supplied any of it. */
  mapped: boolean;
}

const lower = (value: string | undefined | null) => (value ? value.trim().toLowerCase() : undefined);

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))];
}

/**
 * The handles a ticket's subject goes by. The identity map is consulted by email, then Jira account id, then
 * login; without an entry, Okta is searched by the email (Okta logins usually are emails) and GitHub by the login
 * the ticket gave, or the email's local part. An entry's githubLogin or oktaLogin replaces the guesses rather than
 * adding to them, so a mapped person is never matched by a look-alike login.
 */
export function resolveIdentity(subject: Person | null, map: TimelinessConfig['identityMap']): Identity {
  if (!subject) return { email: null, oktaLogins: [], githubLogins: [], mapped: false };
  const email = lower(subject.email);
  const login = lower(subject.login);
  const entry =
    (email && map.find((e) => e.email === email)) ||
    (subject.id && map.find((e) => e.jiraAccountId === subject.id)) ||
    (login && map.find((e) => lower(e.githubLogin) === login || lower(e.oktaLogin) === login)) ||
    undefined;
  const resolvedEmail = email ?? entry?.email ?? null;
  const localPart = resolvedEmail?.split('@')[0];
  return {
    email: resolvedEmail,
    oktaLogins: entry?.oktaLogin
      ? [entry.oktaLogin.toLowerCase()]
      : unique([resolvedEmail ?? undefined, login]),
    githubLogins: entry?.githubLogin ? [entry.githubLogin.toLowerCase()] : unique([login, localPart]),
    mapped: entry !== undefined,
  };
}

/**
 * Northwind's people over the audit year: who works there from the start, who joins and who leaves, on which day
 * of the window (days after its start). One roster feeds every sandbox, so the same person is the same
 * person in Okta, GitHub, Jira, Entra ID, Google Workspace and BambooHR, as the derived evidence expects.
 */

export const DOMAIN = 'northwind.example';

export interface Person {
  /** GitHub login and the local part of the email (no identity map needed). */
  handle: string;
  first: string;
  last: string;
  role: 'security' | 'it' | 'engineering';
  /** Day of the window they joined; absent: before the window. */
  joins?: number;
  /** Day of the window they left (the offboarding ticket is opened that day, 09:00 UTC). */
  leaves?: number;
  /**
   * Hours from the offboarding ticket to the Okta deactivation and the GitHub removal. Under 24 is within the
   * starter register's IAM-01; more is the late leaver an auditor finds.
   */
  removedAfterHours?: number;
}

export const people: Person[] = [
  { handle: 'priya', first: 'Priya', last: 'Shah', role: 'security' },
  { handle: 'jonas', first: 'Jonas', last: 'Berg', role: 'it' },
  { handle: 'marco', first: 'Marco', last: 'Rossi', role: 'engineering' },
  { handle: 'lena', first: 'Lena', last: 'Fischer', role: 'engineering' },
  { handle: 'aisha', first: 'Aisha', last: 'Khan', role: 'engineering' },
  { handle: 'tom', first: 'Tom', last: 'Baker', role: 'engineering', leaves: 75, removedAfterHours: 5 },
  { handle: 'sofia', first: 'Sofia', last: 'Lopez', role: 'engineering', leaves: 160, removedAfterHours: 2 },
  // The late leaver: terminated on day 250, still able to sign in to Okta and push to GitHub for six days.
  { handle: 'omar', first: 'Omar', last: 'Haddad', role: 'engineering', leaves: 250, removedAfterHours: 151 },
  { handle: 'nina', first: 'Nina', last: 'Park', role: 'engineering', joins: 40 },
  { handle: 'ravi', first: 'Ravi', last: 'Menon', role: 'engineering', joins: 130 },
  { handle: 'chen', first: 'Chen', last: 'Wei', role: 'engineering', joins: 290 },
];

export const emailOf = (person: Person): string => `${person.handle}@${DOMAIN}`;

export const byHandle = (handle: string): Person => {
  const person = people.find((p) => p.handle === handle);
  if (!person) throw new Error(`no ${handle} in the demo roster`);
  return person;
};

/** Whether someone works at Northwind on a day of the window. */
export function employedOn(person: Person, day: number): boolean {
  return (person.joins ?? -1) <= day && (person.leaves === undefined || day < person.leaves);
}

/** The window's quarter (0..3) a campaign was skipped in: the missed quarterly access review. */
export const MISSED_REVIEW_QUARTER = 2;

/** From this day of the window, the first pull request (Aisha's) is merged on its author's own approval alone. */
export const SELF_APPROVED_DAY = 201;

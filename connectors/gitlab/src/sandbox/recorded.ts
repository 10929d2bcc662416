/**
 * Operations GitLab's description leaves out (project approval rules and approval settings, Premium): their answers
 * are checked against the example answers of GitLab's API documentation (doc/api/merge_request_approvals.md), kept
 * in recorded/. An answer may leave keys out; every key it sends must be one the example has, with a value of the
 * same JSON type (an array's items against the example's first item).
 */
import { readFileSync } from 'node:fs';

export const RECORDED = {
  '/projects/{id}/approval_rules': 'approval-rules.json',
  '/projects/{id}/approvals': 'approval-settings.json',
} as const;

const examples = new Map<string, unknown>();

function example(route: keyof typeof RECORDED): unknown {
  if (!examples.has(route)) {
    const file = new URL(`./recorded/${RECORDED[route]}`, import.meta.url);
    examples.set(route, JSON.parse(readFileSync(file, 'utf8')));
  }
  return examples.get(route);
}

const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

function compare(expected: unknown, actual: unknown, at: string, problems: string[]): void {
  // A null in the example says only that the field may be null; it cannot say what else it holds.
  if (expected === null || actual === null) return;
  if (typeOf(expected) !== typeOf(actual)) {
    problems.push(
      `${at || '(body)'} must be ${typeOf(expected)} as in GitLab's example, not ${typeOf(actual)}`,
    );
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length === 0) return;
    for (const [index, item] of actual.entries()) compare(expected[0], item, `${at}/${index}`, problems);
    return;
  }
  if (typeof expected !== 'object') return;
  const known = expected as Record<string, unknown>;
  for (const [key, value] of Object.entries(actual as Record<string, unknown>)) {
    if (!(key in known)) problems.push(`${at}/${key} is not in GitLab's example answer`);
    else compare(known[key], value, `${at}/${key}`, problems);
  }
}

/** Problems with an answer to an operation the description does not cover, against GitLab's recorded example. */
export function checkRecorded(route: keyof typeof RECORDED, body: unknown): string[] {
  const problems: string[] = [];
  compare(example(route), body, '', problems);
  return problems.map((problem) => `GET ${route} 200: ${problem}`);
}

/**
 * Northwind on GitHub: three protected repositories and a year of merged pull requests, each reviewed by a
 * colleague on the commit that went in, except one its author approved and merged alone; members joining and
 * leaving in the organization's audit log.
 */
import {
  type Account,
  account,
  type FakeOrganization,
  type FakePullRequest,
  githubTime,
  mergedPullRequest,
  organization,
  repository,
  review,
  sha,
} from '@crosswalk/connector-github/sandbox';
import { employedOn, type Person, people, SELF_APPROVED_DAY } from './people.js';
import { plusHours, random, type Timeline } from './timeline.js';

const REPOSITORIES = ['api', 'web', 'infra'] as const;

const protection = (reviewer: Account) => ({
  requiredApprovals: 1,
  dismissStaleReviews: true,
  requireCodeOwnerReviews: false,
  requireLastPushApproval: true,
  enforceAdmins: false,
  bypassUsers: [reviewer],
  allowForcePushes: false,
});

const accountHolder = (team: Person[], handle: string): Person =>
  team.find((p) => p.handle === handle) ?? team[0]!;

export function githubOrganization(time: Timeline): FakeOrganization {
  const accounts = new Map(people.map((p) => [p.handle, account(p.handle, `${p.first} ${p.last}`)]));
  const accountOf = (person: Person) => accounts.get(person.handle)!;
  const engineers = people.filter((p) => p.role === 'engineering');
  const next = random(20_260_101);
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;

  const pulls = new Map<string, FakePullRequest[]>(REPOSITORIES.map((r) => [r, []]));
  let number = 100;
  let selfApprovedDone = false;
  // A merge every other day or so, on a rotating repository.
  for (let day = 1; day < 364; day += 1 + Math.floor(next() * 3)) {
    const team = engineers.filter((p) => employedOn(p, day));
    const author = day >= SELF_APPROVED_DAY && !selfApprovedDone ? accountHolder(team, 'aisha') : pick(team);
    const repo = REPOSITORIES[number % REPOSITORIES.length]!;
    number += 1;
    const mergedAt = plusHours(time.at(day), 9 + Math.floor(next() * 8));
    const head = sha(`${repo}#${number}:head`);
    const selfApproved: boolean = !selfApprovedDone && day >= SELF_APPROVED_DAY;
    selfApprovedDone ||= selfApproved;
    const reviewer = selfApproved ? author : pick(team.filter((p) => p !== author));
    pulls.get(repo)!.push(
      mergedPullRequest(number, {
        title: selfApproved ? 'Hotfix: raise the upload size limit' : `Change ${number} to ${repo}`,
        author: accountOf(author),
        mergedBy: accountOf(selfApproved ? author : next() < 0.7 ? author : reviewer),
        createdAt: githubTime(plusHours(mergedAt, -20)),
        mergedAt: githubTime(mergedAt),
        commits: [sha(`${repo}#${number}:1`), head],
        reviews: [review(accountOf(reviewer), 'APPROVED', githubTime(plusHours(mergedAt, -1)), head)],
      }),
    );
  }

  const admin = accountOf(people.find((p) => p.role === 'security')!);
  const auditLog = people.flatMap((person) => {
    const events = [];
    if (person.joins !== undefined) {
      events.push({
        id: `add-${person.handle}`,
        timestamp: plusHours(time.at(person.joins), 10).getTime(),
        action: 'org.add_member',
        actor: admin.login,
        user: person.handle,
      });
    }
    if (person.leaves !== undefined) {
      events.push({
        id: `remove-${person.handle}`,
        timestamp: plusHours(time.at(person.leaves), 9.2 + (person.removedAfterHours ?? 0)).getTime(),
        action: 'org.remove_member',
        actor: admin.login,
        user: person.handle,
      });
    }
    return events;
  });

  const lastDay = (time.now.getTime() - time.from.getTime()) / 86_400_000;
  return organization('northwind', {
    members: people
      .filter((p) => employedOn(p, lastDay))
      .map((p) => ({
        user: accountOf(p),
        role: p.role === 'security' ? ('admin' as const) : ('member' as const),
      })),
    membersWithoutTwoFactor: [],
    auditLog: auditLog.sort((a, b) => a.timestamp - b.timestamp),
    repositories: REPOSITORIES.map((name) =>
      repository(name, { classicProtection: protection(admin), pulls: pulls.get(name)! }),
    ),
  });
}

/**
 * Okta's side of the join, from the Okta connector itself: System Log events served by its loopback Okta (whose
 * answers are checked against Okta's OpenAPI description) and collected by `user_lifecycle` through the runner,
 * so the records are exactly what a deployment stores.
 */
import { type RunOptions, runConnector } from '@crosswalk/collect';
import { oktaConnector } from '@crosswalk/connector-okta';
import {
  configFor,
  event,
  type FakeEvent,
  startFake,
  user,
  userEntity,
} from '@crosswalk/connector-okta/testing';
import type { RunManifest } from '@crosswalk/locker';

/** Who deactivates people in these tests. */
export const oktaAdmin = user('okta-admin@acme.example', { firstName: 'Okta', lastName: 'Admin' });
const admin = oktaAdmin;

/** One System Log event: `type` done by an Okta admin to the user whose login is `login`, at `published`. */
export function oktaEvent(
  type: string,
  login: string,
  published: string,
  result: FakeEvent['outcome'] = 'SUCCESS',
): FakeEvent {
  return event(type, published, userEntity(admin), [userEntity(user(login))], { outcome: result });
}

/** Collects `events` with the Okta connector's user_lifecycle collector, as connector `connectorId`. */
export async function collectOkta(
  events: FakeEvent[],
  run: Pick<
    RunOptions<typeof oktaConnector.configSchema>,
    'connectorId' | 'locker' | 'window' | 'trigger' | 'clock'
  >,
): Promise<RunManifest> {
  const targets = new Set(events.flatMap((e) => e.target.map((t) => t.alternateId)));
  const fake = await startFake({
    users: [admin, ...[...targets].map((login) => user(login))],
    adminRoles: {},
    apps: [],
    policies: [],
    authenticators: [],
    events,
    governance: null,
  });
  try {
    const manifest = await runConnector({
      ...run,
      connector: oktaConnector,
      config: configFor(fake),
      collectors: ['user_lifecycle'],
    });
    if (fake.violations.length > 0) throw new Error(`the Okta fake saw: ${fake.violations.join('; ')}`);
    return manifest;
  } finally {
    await fake.close();
  }
}

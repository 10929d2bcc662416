/**
 * Google Workspace's side of the join, from the connector itself: Admin console events served by its loopback
 * Google Workspace (whose answers are checked against Google's discovery documents) and collected by
 * `admin_events` through the runner, so the records are exactly what a deployment stores.
 */
import { type RunOptions, runConnector } from '@crosswalk/collect';
import { googleWorkspaceConnector } from '@crosswalk/connector-google-workspace';
import { acme, adminUserEvent, configFor, startFake } from '@crosswalk/connector-google-workspace/testing';
import type { RunManifest } from '@crosswalk/locker';

/** Who suspends people in these tests (the fake's admin). */
export const GOOGLE_ADMIN = 'carol.admin@acme.example';

/** One Admin console event about a user: `name` (SUSPEND_USER, DELETE_USER, ...) done to `email` at `time`. */
export function googleEvent(name: string, email: string, time: string) {
  return adminUserEvent(time, GOOGLE_ADMIN, name, email);
}

/** Collects `events` with the Google Workspace connector's admin_events collector, as connector `connectorId`. */
export async function collectGoogle(
  events: ReturnType<typeof googleEvent>[],
  run: Pick<
    RunOptions<typeof googleWorkspaceConnector.configSchema>,
    'connectorId' | 'locker' | 'window' | 'trigger' | 'clock'
  >,
): Promise<RunManifest> {
  const fake = await startFake({ ...acme(), activities: { admin: events, login: [] } });
  try {
    const manifest = await runConnector({
      ...run,
      connector: googleWorkspaceConnector,
      config: configFor(fake),
      collectors: ['admin_events'],
    });
    if (fake.violations.length > 0) throw new Error(`the Google fake saw: ${fake.violations.join('; ')}`);
    return manifest;
  } finally {
    await fake.close();
  }
}

import { type CollectionWindow, CrosswalkError } from '@crosswalk/core';

/** How far back a collector looks on its first run when no window is given. */
export const DEFAULT_FIRST_LOOKBACK_DAYS = 30;

/**
 * Overlap with the previous run's window end: sources publish some items late (the audit log and Okta's
 * system log are eventually consistent), and the write-once locker makes re-reading them free.
 */
export const DEFAULT_OVERLAP_MS = 60 * 60 * 1000;

export function defaultWindow(lastUntil: string | undefined, now: Date): CollectionWindow {
  const until = now.toISOString();
  const since = lastUntil
    ? new Date(Math.min(Date.parse(lastUntil), now.getTime()) - DEFAULT_OVERLAP_MS).toISOString()
    : new Date(now.getTime() - DEFAULT_FIRST_LOOKBACK_DAYS * 86_400_000).toISOString();
  return { since, until };
}

export function assertWindow(window: CollectionWindow): CollectionWindow {
  const since = Date.parse(window.since);
  const until = Date.parse(window.until);
  if (Number.isNaN(since) || Number.isNaN(until)) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `window ${window.since}..${window.until} is not two timestamps`,
      {
        where: 'window',
      },
    );
  }
  if (since >= until) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `window start ${window.since} must be before its end ${window.until}`,
      {
        where: 'window',
      },
    );
  }
  return { since: new Date(since).toISOString(), until: new Date(until).toISOString() };
}

import { canonicalSha256 } from '@crosswalk/core';
import { keys, type Locker, type RunManifest, runManifestSchema } from '@crosswalk/locker';

/** One run manifest read from the locker with its exact bytes, or why it could not be read. */
export interface RunRead {
  connectorId: string;
  key: string;
  bytes?: Buffer;
  manifest?: RunManifest;
  problem?: string;
}

/**
 * Connectors that matter to a window: every configured connector, plus every connector that ever appended a
 * run (found from `chain/<connector>/`, one listing request per connector: each step starts after the last
 * connector's links). A connector whose config was deleted still has runs an auditor should see.
 */
export async function discoverConnectors(locker: Locker): Promise<string[]> {
  // The configs and the chains are listed at once: the API's coverage asks this on every request.
  const [configured, chained] = await Promise.all([configIds(locker), chainedConnectors(locker)]);
  return [...new Set([...configured, ...chained])].sort();
}

async function configIds(locker: Locker): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of locker.configs.ids()) ids.push(id);
  return ids;
}

/** Connectors with a chain: one listing request per connector, each starting after the last one's links. */
async function chainedConnectors(locker: Locker): Promise<string[]> {
  const found: string[] = [];
  let startAfter: string | undefined;
  for (;;) {
    let next: string | undefined;
    // One key is all a step reads: asking S3 for one (not a page of 1000 links) keeps each step small.
    for await (const object of locker.store.list('chain/', {
      pageSize: 1,
      ...(startAfter ? { startAfter } : {}),
    })) {
      const match = /^chain\/([^/]+)\//.exec(object.key);
      if (match) next = match[1];
      break;
    }
    if (next === undefined) return found;
    found.push(next);
    // '~' sorts after every character a link or hint name uses (digits, 'head.json').
    startAfter = `chain/${next}/~`;
  }
}

/** Parses and proves a run manifest's bytes (schema and self-hash), as RunStore.read does. */
export function parseRunBytes(bytes: Buffer): RunManifest {
  const parsed = runManifestSchema.parse(JSON.parse(bytes.toString('utf8')));
  const { sha256, ...rest } = parsed;
  if (canonicalSha256(rest) !== sha256) throw new Error('the manifest does not match its sha256');
  return parsed;
}

export async function readRun(locker: Locker, connectorId: string, key: string): Promise<RunRead> {
  const stored = await locker.store.get(key);
  if (!stored) return { connectorId, key, problem: `run manifest ${key} is missing` };
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  try {
    return { connectorId, key, bytes, manifest: parseRunBytes(bytes) };
  } catch (error) {
    return {
      connectorId,
      key,
      bytes,
      problem: `run manifest ${key} is not valid: ${(error as Error).message}`,
    };
  }
}

/** The manifest key a chain link points at, or undefined when the link is missing or unreadable. */
export async function chainLinkTarget(
  locker: Locker,
  connectorId: string,
  sequence: number,
): Promise<string | undefined> {
  const bytes = await locker.store.get(keys.chainLinkKey(connectorId, sequence));
  if (!bytes) return undefined;
  try {
    const link = JSON.parse(Buffer.from(bytes).toString('utf8')) as { key?: unknown };
    return typeof link.key === 'string' ? link.key : undefined;
  } catch {
    return undefined;
  }
}

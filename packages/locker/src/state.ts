import { CrosswalkError, canonicalJson } from '@crosswalk/core';
import { z } from 'zod';
import { stateKey } from './keys.js';
import type { ObjectStore } from './store.js';

export const connectorStateSchema = z
  .object({
    connectorId: z.string(),
    updatedAt: z.string(),
    /** One opaque cursor per collector, as the collector saved it. */
    cursors: z.record(z.string(), z.unknown()),
  })
  .strict();

export type ConnectorState = z.infer<typeof connectorStateSchema>;

/** Durable cursors: the locker is their home, Redis only ever caches them. */
export class StateStore {
  constructor(private readonly store: ObjectStore) {}

  async get(connectorId: string): Promise<ConnectorState | undefined> {
    const key = stateKey(connectorId);
    const bytes = await this.store.get(key);
    if (!bytes) return undefined;
    const parsed = connectorStateSchema.safeParse(parseJson(bytes));
    if (!parsed.success)
      throw new CrosswalkError('CW_LOCKER_CORRUPT', `connector state at ${key} is not valid`, { where: key });
    return parsed.data;
  }

  async put(state: ConnectorState): Promise<void> {
    await this.store.put(
      stateKey(state.connectorId),
      Buffer.from(canonicalJson(connectorStateSchema.parse(state))),
    );
  }
}

export function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
}

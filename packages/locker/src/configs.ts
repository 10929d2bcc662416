import { CrosswalkError, canonicalJson } from '@crosswalk/core';
import { CONFIG_PREFIX, configKey } from './keys.js';
import { parseJson } from './state.js';
import type { ObjectStore } from './store.js';

/**
 * Connector configuration objects. The locker stores them as given; encrypting credentials before they get
 * here is the service's job, so the locker never holds a key.
 */
export class ConfigStore {
  constructor(private readonly store: ObjectStore) {}

  async get(id: string): Promise<Record<string, unknown> | undefined> {
    const key = configKey(id);
    const bytes = await this.store.get(key);
    if (!bytes) return undefined;
    const value = parseJson(bytes);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new CrosswalkError('CW_LOCKER_CORRUPT', `connector config at ${key} is not a JSON object`, {
        where: key,
      });
    }
    return value as Record<string, unknown>;
  }

  async put(id: string, config: Record<string, unknown>): Promise<void> {
    await this.store.put(configKey(id), Buffer.from(canonicalJson(config)));
  }

  async delete(id: string): Promise<void> {
    await this.store.delete(configKey(id));
  }

  async *ids(): AsyncIterable<string> {
    for await (const object of this.store.list(CONFIG_PREFIX)) {
      const name = object.key.slice(CONFIG_PREFIX.length);
      if (name.endsWith('.json') && !name.includes('/')) yield name.slice(0, -'.json'.length);
    }
  }
}

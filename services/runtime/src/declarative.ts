import { loadConfigFile } from './config-file.js';
import type { Runtime } from './runtime.js';

/**
 * Loads the declarative config file (CROSSWALK_CONFIG_FILE) into the locker at start, for teams that keep
 * connector config in git. Each entry is created or replaced, audited as `config-file` when it changed.
 * Connectors created through the API and absent from the file are left alone.
 */
export async function applyConfigFile(
  runtime: Runtime,
  file: string,
): Promise<{ id: string; changed: boolean }[]> {
  const config = await loadConfigFile(file);
  const results: { id: string; changed: boolean }[] = [];
  for (const entry of config.connectors) {
    const { changed } = await runtime.configs.upsert(entry.id, entry.config, `config-file:${file}`);
    results.push({ id: entry.id, changed });
  }
  runtime.logger.info(
    { file, connectors: results.length, changed: results.filter((r) => r.changed).length },
    'config file applied',
  );
  return results;
}

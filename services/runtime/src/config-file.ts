import { readFile } from 'node:fs/promises';
import { CrosswalkError, zodIssues } from '@crosswalk/core';
import { type LockerConfig, lockerConfigFromEnv, lockerConfigSchema } from '@crosswalk/locker';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * The declarative config file (YAML or JSON), for teams that keep config in git:
 *
 *   locker: { driver: fs, root: ./.crosswalk/locker }     # optional; the environment decides when absent
 *   connectors:
 *     - id: github-acme
 *       type: github
 *       org: acme
 *       auth: { kind: token, token: ${GITHUB_TOKEN} }
 *
 * `${NAME}` is replaced by the environment variable NAME, so secrets stay out of the file.
 */
const fileSchema = z
  .object({
    locker: lockerConfigSchema.optional(),
    connectors: z
      .array(
        z.looseObject({
          id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ., _ or -; at most 64'),
          type: z.string().min(1),
        }),
      )
      .default([]),
  })
  .strict();

export interface ConnectorEntry {
  id: string;
  type: string;
  /** The entry as written (with `${VAR}` resolved), `id` removed: what the connector's schema validates. */
  config: Record<string, unknown>;
}

export interface CrosswalkConfig {
  file: string;
  locker: LockerConfig;
  connectors: ConnectorEntry[];
}

export async function loadConfigFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CrosswalkConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new CrosswalkError(
      'CW_CONFIG_INVALID',
      `cannot read config file ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
      {
        where: file,
      },
    );
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new CrosswalkError(
      'CW_CONFIG_INVALID',
      `${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(cause as Error).message}`,
      {
        where: file,
      },
    );
  }
  const resolved = substituteEnv(raw ?? {}, env, file, []);
  const parsed = fileSchema.safeParse(resolved);
  if (!parsed.success) {
    throw new CrosswalkError('CW_CONFIG_INVALID', `invalid configuration in ${file}`, {
      where: file,
      issues: zodIssues(parsed.error),
    });
  }
  const ids = new Set<string>();
  for (const [index, entry] of parsed.data.connectors.entries()) {
    if (ids.has(entry.id)) {
      throw new CrosswalkError('CW_CONFIG_INVALID', `connector id "${entry.id}" appears twice in ${file}`, {
        where: file,
        issues: [{ path: `connectors.${index}.id`, message: 'duplicate id' }],
      });
    }
    ids.add(entry.id);
  }
  return {
    file,
    locker: parsed.data.locker ?? lockerConfigFromEnv(env),
    connectors: parsed.data.connectors.map(({ id, ...config }) => ({ id, type: config.type, config })),
  };
}

function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  file: string,
  path: (string | number)[],
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined) {
        throw new CrosswalkError(
          'CW_CONFIG_INVALID',
          `${file}: ${path.join('.')} refers to \${${name}}, which is not set`,
          {
            where: file,
            issues: [{ path: path.join('.'), message: `environment variable ${name} is not set` }],
          },
        );
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, file, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, file, [...path, k])]),
    );
  }
  return value;
}

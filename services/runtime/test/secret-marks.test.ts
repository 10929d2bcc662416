import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runConnector } from '@crosswalk/collect';
import { defineConnector, fixedClock, secret } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import {
  ConnectorConfigs,
  createRegistry,
  redactPaths,
  registry,
  SecretBox,
  WRITE_ONLY,
} from '@crosswalk/runtime';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { everyObject, newSecretKey } from './helpers.js';

// A credential under a name no pattern would guess: only its mark says it is one.
const PAT = 'glpat-ToyPersonalAccessToken-0123456789';

const toy = defineConnector({
  type: 'toy',
  version: '0.0.1',
  title: 'Toy source',
  configSchema: z
    .object({
      type: z.literal('toy'),
      group: z.string().min(1),
      pat: secret(z.string().min(1)),
    })
    .strict(),
  collectors: [
    {
      id: 'members',
      kind: 'github.org_members',
      description: 'fails echoing its credential, as a careless library would',
      async collect({ config }) {
        throw new Error(`401 for Authorization: Bearer ${config.pat}`);
      },
    },
  ],
});
const toys = createRegistry([toy]);

async function fsLocker(): Promise<Locker> {
  const store = new FsObjectStore(await mkdtemp(path.join(tmpdir(), 'cw-secret-marks-')));
  return new Locker(store, { clock: fixedClock('2026-03-01T00:00:00.000Z') });
}

describe('a config field marked secret', () => {
  it('is sealed at rest, shown write-only, and handed to the worker in the clear', async () => {
    const locker = await fsLocker();
    const configs = new ConnectorConfigs(locker, new SecretBox(newSecretKey()), undefined, 0, toys);
    const created = await configs.create('toy-acme', { type: 'toy', group: 'acme', pat: PAT }, 'key:admin');
    expect(created.config).toEqual({ type: 'toy', group: 'acme', pat: WRITE_ONLY });
    expect(await configs.list()).toEqual([created]);
    const updated = await configs.update('toy-acme', { group: 'acme-eu' }, 'key:admin');
    expect(updated.config.pat).toBe(WRITE_ONLY);
    // Nowhere in the locker (config object, audit trail) are the credential's bytes.
    for (const object of await everyObject(locker)) expect(object.text).not.toContain(PAT);
    const stored = (await locker.configs.get('toy-acme')) as { config: { pat: string; group: string } };
    expect(stored.config.pat).toMatch(/^enc:v1:/);
    expect(stored.config.group).toBe('acme-eu');
    expect((await configs.resolve('toy-acme')).config).toEqual({ type: 'toy', group: 'acme-eu', pat: PAT });
  });

  it('is censored by the logger of a registry that holds the connector', () => {
    const lines: string[] = [];
    const log = pino(
      { redact: { paths: redactPaths(toys), censor: '[redacted]' } },
      { write: (line: string) => void lines.push(line) },
    );
    log.info({ connector: { group: 'acme', pat: PAT } }, 'config');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(PAT);
    expect(JSON.parse(lines[0]!).connector).toEqual({ group: 'acme', pat: '[redacted]' });
  });

  it('is scrubbed from the run manifest when a collector fails echoing it', async () => {
    const locker = await fsLocker();
    const manifest = await runConnector({
      connector: toy,
      connectorId: 'toy-acme',
      config: { type: 'toy', group: 'acme', pat: PAT },
      locker,
      trigger: { type: 'manual', by: 'test' },
      clock: fixedClock('2026-03-01T00:00:00.000Z'),
    });
    expect(manifest.collectors[0]).toMatchObject({ status: 'failed' });
    expect(manifest.collectors[0]!.error!.message).toContain('Bearer [redacted]');
    for (const object of await everyObject(locker)) expect(object.text).not.toContain(PAT);
  });
});

describe('the built-in connectors', () => {
  // The rule before marks: stored configs were sealed under every key it matches, so each such field must stay
  // marked, or a stored sealed value would reach its connector still sealed.
  const credentialLooking = /token|secret|password|private.?key|api.?key|credential/i;

  it('mark every field named like a credential', () => {
    const unmarked: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (!node || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) {
        const field = child as Record<string, unknown>;
        const marked = field.secret === true;
        if (credentialLooking.test(name) && !marked && !hasMarkedOption(field))
          unmarked.push(`${at}.${name}`);
        walk(child, `${at}.${name}`);
      }
      for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
        for (const option of (schema[key] ?? []) as unknown[]) walk(option, at);
      }
      if (schema.items) walk(schema.items, `${at}[]`);
    };
    for (const connector of registry.all()) {
      walk(z.toJSONSchema(connector.configSchema, { io: 'input', unrepresentable: 'any' }), connector.type);
    }
    expect(unmarked).toEqual([]);
  });
});

/** An optional field's JSON Schema may carry the mark on the inner schema it wraps. */
function hasMarkedOption(field: Record<string, unknown>): boolean {
  return ['anyOf', 'oneOf', 'allOf'].some((key) =>
    ((field[key] ?? []) as Record<string, unknown>[]).some((option) => option.secret === true),
  );
}

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  collectorCadence,
  defineConnector,
  defineKinds,
  errorCatalog,
  type WebhookSenderDeclaration,
} from '../src/index.js';

const noop = async () => {};

/** A connector of type `example` with no config, and whatever `parts` a case declares. */
const example = (parts: Partial<Parameters<typeof defineConnector>[0]>) =>
  defineConnector({
    type: 'example',
    version: '1.0.0',
    title: 'Example',
    configSchema: z.object({}).strict(),
    collectors: [],
    ...parts,
  });

describe('defineConnector', () => {
  it('returns the declaration, frozen', () => {
    const connector = defineConnector({
      type: 'example',
      version: '1.0.0',
      title: 'Example',
      configSchema: z.object({ org: z.string() }).strict(),
      collectors: [{ id: 'members', kind: 'github.org_members', description: 'members', collect: noop }],
    });
    expect(connector.collectors.map((c) => c.id)).toEqual(['members']);
    expect(Object.isFrozen(connector)).toBe(true);
  });

  it('rejects two collectors with one id', () => {
    expect(() =>
      example({
        collectors: [
          { id: 'members', kind: 'github.org_members', description: 'a', collect: noop },
          { id: 'members', kind: 'github.org_members', description: 'b', collect: noop },
        ],
      }),
    ).toThrow(/declares collector "members" twice/);
  });

  it('rejects a kind named for another system', () => {
    expect(() =>
      example({
        kinds: defineKinds({
          'github.stars': { cadence: 'daily', title: 'Stars', payload: z.object({}), categories: ['x'] },
        }),
      }),
    ).toThrow(/declares kind "github.stars": its name must start with "example\."/);
  });

  it('takes the cadence from the kind unless the collector overrides it', () => {
    expect(collectorCadence({ kind: 'github.org_members' })).toBe('daily');
    expect(collectorCadence({ kind: 'github.org_members', cadence: 'event' })).toBe('event');
  });
});

describe('the error catalogue', () => {
  it('uses stable CW_ codes and documents every one in docs/errors.md', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    for (const code of Object.keys(errorCatalog)) {
      expect(code).toMatch(/^CW_[A-Z_]+$/);
      expect(doc, `docs/errors.md documents ${code}`).toContain(`\`${code}\``);
    }
  });
});

describe('a declared webhook sender', () => {
  const sender: WebhookSenderDeclaration = {
    summary: 'Example hook',
    description: 'Example hook',
    authentication: { scheme: 'hmac-sha256', header: 'x-example-signature' },
    contentTypes: ['application/json'],
    deliveryId: { header: 'x-example-delivery' },
    event: { field: 'event' },
    headers: { 'x-example-signature': 'sha256=<hex>', 'x-example-delivery': 'unique per delivery' },
  };
  const withSender = (webhook: WebhookSenderDeclaration, handle = true) =>
    example({ webhook, ...(handle ? { handleWebhook: () => ({ emit: [], collect: [] }) } : {}) });

  it('comes with the handleWebhook that reads its deliveries', () => {
    expect(withSender(sender).webhook).toEqual(sender);
    expect(() => withSender(sender, false)).toThrow(/webhook sender and handleWebhook together/);
  });

  it('names headers in lower case, as Node hands them over', () => {
    expect(() =>
      withSender({ ...sender, authentication: { scheme: 'hmac-sha256', header: 'X-Example-Signature' } }),
    ).toThrow(/header "X-Example-Signature": use lower case/);
  });

  it('documents every header it reads', () => {
    expect(() => withSender({ ...sender, headers: { 'x-example-signature': 'sha256=<hex>' } })).toThrow(
      /reads header "x-example-delivery" but does not document it/,
    );
  });
});

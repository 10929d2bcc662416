import { collectorHarness } from '@crosswalk/connector-testkit';
import type { BambooHrConfig, BambooHrConfigInput } from '../src/config.js';
import { bamboohrConnector } from '../src/index.js';
import {
  employee,
  type FakeBambooHr as Fake,
  FakeBambooHr,
  type FakeCompany,
  reportsTo,
  terminate,
} from '../src/sandbox/index.js';

export type { Collected, LogLine } from '@crosswalk/connector-testkit';
export { errorText } from '@crosswalk/connector-testkit';
export * from '../src/sandbox/index.js';

/** A week after New York's switch to daylight time (2026-03-08, 02:00 EST -> 03:00 EDT). */
export const NOW = '2026-03-16T06:30:00.000Z';
export const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-16T00:00:00.000Z' };
export const ZONE = 'America/New_York';
export const API_KEY = '6c1e9f0a7b3d4c2e8f5a1b9c0d7e6f4a3b2c1d0e';
/** The key and the Basic value that carries it: neither may appear in a record, log line or error. */
export const SECRETS = [API_KEY, Buffer.from(`${API_KEY}:x`).toString('base64')];

export const collect = collectorHarness<BambooHrConfig, BambooHrConfigInput>(bamboohrConnector, {
  now: NOW,
  window: WINDOW,
});

export function configFor(fake: Fake, overrides: Partial<BambooHrConfigInput> = {}): BambooHrConfigInput {
  return {
    type: 'bamboohr',
    companyDomain: 'acme',
    apiKey: API_KEY,
    timeZone: ZONE,
    baseUrl: fake.url,
    controlOwner: 'people-ops@acme.example',
    requests: { backoffMs: 10, maxRateLimitWaitSeconds: 5 },
    ...overrides,
  };
}

export function startFake(company: FakeCompany = acme()): Promise<FakeBambooHr> {
  return FakeBambooHr.start({ company, apiKey: API_KEY });
}

/**
 * The company most tests use (New York time), with the known answers of the history test:
 * - carol (CTO) manages alice, bob, dave and erin; frank is in Sales;
 * - dave's termination is dated 2026-03-04, entered 2026-03-02 15:00 UTC: it takes effect at the end of 03-04 in New
 *   York, 2026-03-05T05:00:00Z (EST);
 * - erin's is dated 2026-03-08, the day New York moves to daylight time, entered late that evening (23:30 EDT,
 *   2026-03-09T03:30:00Z): it takes effect at 2026-03-09T04:00:00Z (EDT), not 05:00 as a fixed EST offset would say;
 * - gina left in 2025 (outside the window, in the snapshot only); hank's termination is dated 2026-03-20, after the
 *   window (entered in it, not emitted).
 */
export function acme(): FakeCompany {
  const carol = employee(1, 'carol.chief@acme.example', { department: 'Executive', hireDate: '2019-04-01' });
  const alice = reportsTo(employee(2, 'alice.smith@acme.example'), carol);
  const bob = reportsTo(employee(3, 'bob.jones@acme.example'), carol);
  const dave = terminate(
    reportsTo(employee(4, 'dave.leaver@acme.example'), carol),
    '2026-03-04',
    '2026-03-02T15:00:00Z',
    {
      comment: 'Resigned',
    },
  );
  const erin = terminate(
    reportsTo(employee(5, 'erin.late@acme.example'), carol),
    '2026-03-08',
    '2026-03-09T03:30:00Z',
  );
  const frank = employee(6, 'frank.sales@acme.example', { department: 'Sales' });
  const gina = terminate(employee(7, 'gina.gone@acme.example'), '2025-11-14', '2025-11-14T21:00:00Z');
  const hank = terminate(employee(8, 'hank.future@acme.example'), '2026-03-20', '2026-03-10T14:00:00Z');
  return { domain: 'acme', employees: [carol, alice, bob, dave, erin, frank, gina, hank] };
}

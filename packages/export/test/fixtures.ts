import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NOW, WINDOW } from '@crosswalk/assurance/testing';
import { controlsFor } from '@crosswalk/controls';
import type { EvidenceDraft } from '@crosswalk/core';
import { scheduledProvenance } from '@crosswalk/core/testing';
import type { Locker } from '@crosswalk/locker';
import { type ExportResult, exportToFile, type SigningKey, signingKeyFromPem } from '../src/index.js';

/** One answer of derived deprovisioning timeliness about a ticket (supersession tests). */
export interface Answer {
  /** The ticket the answer is about; its occurredAt is the answer's occurredAt. */
  ticket: string;
  occurredAt: string;
  collectedAt: string;
  status: 'pending' | 'not_found' | 'late' | 'on_time';
  supersedes: string | null;
}

export function answerDraft(answer: Answer): EvidenceDraft<'crosswalk.deprovisioning_timeliness'> {
  const found = answer.status === 'late' || answer.status === 'on_time';
  return {
    kind: 'crosswalk.deprovisioning_timeliness',
    occurredAt: answer.occurredAt,
    collectedAt: answer.collectedAt,
    owner: { people: [{ login: 'it-ops' }], controlOwner: 'security@acme.example' },
    actors: [],
    source: {
      system: 'crosswalk',
      instance: 'timeliness',
      ref: `${answer.ticket}/${answer.status}-${answer.collectedAt}`,
      url: null,
    },
    controls: controlsFor('crosswalk.deprovisioning_timeliness'),
    payload: {
      ticket: {
        key: answer.ticket,
        evidenceId: `jira.deprovisioning_ticket~${answer.ticket}`,
        sha256: '1'.padStart(64, '0'),
        requestedAt: answer.occurredAt,
        resolvedAt: answer.occurredAt,
        url: null,
      },
      subject: { login: `leaver-${answer.ticket}` },
      identity: { email: null, oktaLogins: [], githubLogins: [`leaver-${answer.ticket}`], mapped: false },
      slaMinutes: 1440,
      lookaheadDays: 14,
      systems: [
        {
          system: 'github',
          status: answer.status,
          removal: found ? { evidenceId: 'github.member_removed~x', sha256: '2'.padStart(64, '0') } : null,
          deprovisionedAt: found ? answer.collectedAt : null,
          minutesToDeprovision: found ? 2000 : null,
          removedBy: null,
          matchedOn: found ? `login:leaver-${answer.ticket}` : null,
          searched: { from: answer.occurredAt, until: answer.collectedAt },
        },
      ],
      onTime: answer.status === 'on_time',
      final: found,
      supersedes: answer.supersedes,
    },
    provenance: scheduledProvenance(
      { id: 'timeliness', type: 'crosswalk' },
      'deprovisioning_timeliness',
      `run-${answer.collectedAt}`,
    ),
  };
}

/** A fresh Ed25519 key (and its PEM written to `dir` when given). */
export async function testSigningKey(dir?: string): Promise<SigningKey & { file?: string }> {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  if (!dir) return signingKeyFromPem(pem, 'test');
  const file = path.join(dir, `signing-key-${Math.random().toString(16).slice(2)}.pem`);
  await writeFile(file, pem, { mode: 0o600 });
  return { ...signingKeyFromPem(pem, file), file };
}

export { readZip, repack, writeZip, zipWithName } from './zip-tools.js';

/** February 2026, where the control tests' pull-request cases fall (`@crosswalk/assurance/testing`). */
export const FEB = { from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' };
/** Well after February: every period of it is over. */
export const FEB_NOW = new Date('2026-04-01T00:00:00.000Z');

/** Who the test bundles say made them. */
export const GENERATOR = { name: 'crosswalk', version: '0.1.0-test' };

/**
 * A bundle of `window` (the seeded locker's week unless told) for both frameworks, made at the seeded locker's NOW,
 * in a fresh temporary directory.
 */
export async function exportWindow(
  locker: Locker,
  signingKey: SigningKey,
  window: { from: string; to: string } = WINDOW,
): Promise<{ file: string; result: ExportResult }> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'cw-export-window-')), 'bundle.zip');
  const { from, to } = window;
  const result = await exportToFile(file, {
    locker,
    frameworks: ['soc2', 'iso27001'],
    from,
    to,
    signingKey,
    generator: GENERATOR,
    now: NOW,
  });
  return { file, result };
}

/** A bundle of February for both frameworks, its controls tested with `controlSeed`, made at FEB_NOW. */
export function exportFebruary(
  file: string,
  options: { locker: Locker; signingKey: SigningKey; controlSeed: string },
): Promise<ExportResult> {
  return exportToFile(file, {
    ...options,
    frameworks: ['soc2', 'iso27001'],
    ...FEB,
    generator: GENERATOR,
    now: FEB_NOW,
  });
}

import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { controlsFor } from '@crosswalk/controls';
import type { EvidenceDraft } from '@crosswalk/core';
import { type SigningKey, signingKeyFromPem } from '../src/index.js';

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
    provenance: {
      connector: { id: 'timeliness', type: 'crosswalk', version: '0.1.0' },
      collector: 'deprovisioning_timeliness',
      runId: `run-${answer.collectedAt}`,
      trigger: { type: 'schedule', scheduler: null },
      requests: [],
    },
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

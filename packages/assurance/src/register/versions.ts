import { randomUUID } from 'node:crypto';
import { CrosswalkError, canonicalJson, canonicalSha256, parseInstant, toTimestamp } from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import { z } from 'zod';
import { starterRegister } from './load.js';
import { parseRegister, type Register } from './schema.js';

/**
 * Register versions in the locker: each applied register is a write-once object (with the locker's Object Lock
 * retention, as evidence) under
 * `controls/register/<appliedAt>-<id>.json` with who applied it, when, a note, and the register's SHA-256 (of its
 * canonical JSON). Nothing is replaced: the register in force at an instant is the last version applied at or before
 * it, so a window is tested with the register as it stood at the window's end, whatever was applied since.
 */
const PREFIX = 'controls/register/';

const versionSchema = z
  .object({
    schemaVersion: z.literal(1),
    id: z.string().min(1),
    appliedAt: z.string(),
    appliedBy: z.string().min(1),
    note: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    register: z.unknown(),
  })
  .strict();

export interface RegisterVersion {
  id: string;
  appliedAt: string;
  appliedBy: string;
  note: string;
  sha256: string;
  register: Register;
}

/** Which register a test used, for its output: a stored version, a file given for this run, or the starter. */
export interface RegisterSource {
  source: 'locker' | 'file' | 'starter';
  sha256: string;
  version: { id: string; appliedAt: string; appliedBy: string; note: string } | null;
  file: string | null;
  /** Set when no stored version was in force at the window's end, so another was used. */
  note: string | null;
}

export function registerDigest(register: Register): string {
  return canonicalSha256(register);
}

/** Stores a validated register as a new version (write-once). */
export async function applyRegister(
  locker: Locker,
  register: Register,
  by: { appliedBy: string; note?: string; at?: Date },
): Promise<RegisterVersion> {
  const valid = parseRegister(register);
  const appliedAt = toTimestamp(by.at ?? new Date());
  const id = randomUUID();
  const version: RegisterVersion = {
    id,
    appliedAt,
    appliedBy: by.appliedBy,
    note: by.note ?? '',
    sha256: registerDigest(valid),
    register: valid,
  };
  const body = Buffer.from(canonicalJson({ schemaVersion: 1, ...version }));
  const outcome = await locker.createOnce(`${PREFIX}${appliedAt}-${id}.json`, body);
  if (outcome === 'exists') {
    throw new CrosswalkError('CW_LOCKER_DUPLICATE', `register version ${id} already exists`, { where: id });
  }
  return version;
}

/** Every stored version, oldest first. */
export async function listRegisterVersions(locker: Locker): Promise<RegisterVersion[]> {
  const versions: RegisterVersion[] = [];
  for await (const object of locker.store.list(PREFIX)) {
    const bytes = await locker.store.get(object.key);
    if (!bytes) continue;
    let parsed: z.infer<typeof versionSchema>;
    try {
      parsed = versionSchema.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    } catch {
      throw new CrosswalkError('CW_LOCKER_CORRUPT', `register version at ${object.key} is not readable`, {
        where: object.key,
      });
    }
    const register = parseRegister(parsed.register, object.key);
    if (registerDigest(register) !== parsed.sha256) {
      throw new CrosswalkError(
        'CW_LOCKER_CORRUPT',
        `register version at ${object.key} does not match its hash`,
        {
          where: object.key,
        },
      );
    }
    versions.push({ ...parsed, register });
  }
  return versions;
}

/**
 * The register a window ending at `to` is tested with: a file given for this run, else the last stored version
 * applied before `to`, else (none yet) the earliest stored one, said so, else the starter register.
 */
export async function registerFor(
  locker: Locker,
  to: string,
  given?: { register: Register; file: string },
): Promise<{ register: Register; source: RegisterSource }> {
  if (given) {
    return {
      register: given.register,
      source: {
        source: 'file',
        sha256: registerDigest(given.register),
        version: null,
        file: given.file,
        note: null,
      },
    };
  }
  const end = parseInstant(to, 'to');
  const versions = await listRegisterVersions(locker);
  if (versions.length === 0) {
    const register = starterRegister();
    return {
      register,
      source: { source: 'starter', sha256: registerDigest(register), version: null, file: null, note: null },
    };
  }
  const before = versions.filter((v) => v.appliedAt < end);
  const chosen = before.at(-1) ?? versions[0]!;
  return {
    register: chosen.register,
    source: {
      source: 'locker',
      sha256: chosen.sha256,
      version: { id: chosen.id, appliedAt: chosen.appliedAt, appliedBy: chosen.appliedBy, note: chosen.note },
      file: null,
      note:
        before.length === 0
          ? `no register version was applied before ${end}: the first one (${chosen.appliedAt}) is used`
          : null,
    },
  };
}

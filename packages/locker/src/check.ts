import { createHash, randomUUID } from 'node:crypto';
import { CrosswalkError } from '@crosswalk/core';
import { PROBE_PREFIX } from './probes.js';
import type { RetentionStatus } from './retention.js';
import type { ObjectStore, WriteOnceMode } from './store.js';

export interface LockerCheck {
  location: string;
  writeOnce: WriteOnceMode;
  retention: RetentionStatus;
  /** The probe object, under `probe/`: outside the evidence, listed by no reader of it. */
  key: string;
  sha256: string;
  firstWrite: 'created' | 'exists';
  secondWrite: 'created' | 'exists';
  /** Whether reading the key back returned the first write's bytes after the second write. */
  readBack: 'first write' | 'other bytes' | 'missing';
}

/**
 * Proves write-once on this store without touching the evidence: writes a probe object under `probe/check/`,
 * writes other bytes to the same key, and reads it back. Throws CW_LOCKER_UNSUPPORTED (after `report` has the
 * figures) when the second write was not refused or the first write's bytes did not come back.
 */
export async function checkLocker(
  store: ObjectStore,
  retention: () => Promise<RetentionStatus>,
  now: Date,
  report: (check: LockerCheck) => void = () => {},
): Promise<LockerCheck> {
  await store.ping();
  const writeOnce = await store.writeOnceMode();
  const key = `${PROBE_PREFIX}check/${now.toISOString()}-${randomUUID()}.json`;
  const first = Buffer.from(
    JSON.stringify({ probe: 'crosswalk locker check', at: now.toISOString(), write: 1 }),
  );
  const second = Buffer.from(
    JSON.stringify({ probe: 'crosswalk locker check', at: now.toISOString(), write: 2 }),
  );
  const firstWrite = await store.createOnce(key, first);
  const secondWrite = await store.createOnce(key, second);
  const read = await store.get(key);
  const check: LockerCheck = {
    location: store.location,
    writeOnce,
    retention: await retention(),
    key,
    sha256: createHash('sha256').update(first).digest('hex'),
    firstWrite,
    secondWrite,
    readBack:
      read === undefined ? 'missing' : Buffer.from(read).equals(first) ? 'first write' : 'other bytes',
  };
  report(check);
  if (firstWrite !== 'created' || secondWrite !== 'exists' || check.readBack !== 'first write') {
    throw new CrosswalkError(
      'CW_LOCKER_UNSUPPORTED',
      `${store.location} did not behave as write-once storage: first write ${firstWrite}, second write ${secondWrite}, read back ${check.readBack}`,
      { where: key },
    );
  }
  return check;
}

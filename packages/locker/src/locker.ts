import { type Clock, type EvidenceDraft, type EvidenceKind, sealRecord, systemClock } from '@crosswalk/core';
import { AuditStore } from './audit.js';
import { checkLocker, type LockerCheck } from './check.js';
import { ConfigStore } from './configs.js';
import { type PutResult, RecordStore } from './records.js';
import { RetentionPolicy, type RetentionStatus } from './retention.js';
import { RunStore } from './runs.js';
import { StateStore } from './state.js';
import type { ObjectStore, WriteOnceMode } from './store.js';

export interface LockerOptions {
  /** Object Lock COMPLIANCE retention for write-once objects, in days. */
  retentionDays?: number;
  clock?: Clock;
  /** Told once when retention is configured but the backend cannot enforce it. */
  onWarning?: (message: string) => void;
}

/**
 * The evidence locker: records, run manifests, cursors, config and audit entries over one ObjectStore.
 * Every part uses the same key layout whichever driver is underneath.
 */
export class Locker {
  readonly records: RecordStore;
  readonly runs: RunStore;
  readonly state: StateStore;
  readonly configs: ConfigStore;
  readonly audit: AuditStore;
  private readonly retention: RetentionPolicy;
  private readonly clock: Clock;

  constructor(
    readonly store: ObjectStore,
    options: LockerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    const now = () => this.clock.now();
    this.retention = new RetentionPolicy(store, options.retentionDays, now, options.onWarning ?? (() => {}));
    this.records = new RecordStore(store, this.retention);
    this.runs = new RunStore(store, this.retention, now);
    this.state = new StateStore(store);
    this.configs = new ConfigStore(store);
    this.audit = new AuditStore(store, this.retention, now);
  }

  get location(): string {
    return this.store.location;
  }

  /** Seals a draft (id, storedAt, hash) with the locker's clock and stores it once. */
  async storeDraft<K extends EvidenceKind>(
    draft: EvidenceDraft<K>,
  ): Promise<PutResult & { id: string; sha256: string }> {
    const record = sealRecord(draft, this.clock.now());
    const result = await this.records.putSealed(record);
    return { ...result, id: record.id, sha256: record.sha256 };
  }

  /**
   * Writes an object once under `key`, with the retention evidence gets (Object Lock COMPLIANCE for the configured
   * days where the bucket enforces it): for write-once records kept beside evidence by other packages (the control
   * register's versions, remediations of exceptions). 'exists' when the key was already written; nothing changes.
   */
  async createOnce(key: string, body: Uint8Array): Promise<'created' | 'exists'> {
    return this.store.createOnce(key, body, await this.retention.options());
  }

  /** Reachable and usable; throws a CrosswalkError that says why not. */
  async ping(): Promise<void> {
    await this.store.ping();
  }

  retentionStatus(): Promise<RetentionStatus> {
    return this.retention.state();
  }

  /** How the store keeps write-once (probed once, before the first write-once write); see ObjectStore. */
  writeOnceMode(): Promise<WriteOnceMode> {
    return this.store.writeOnceMode();
  }

  /** `crosswalk locker check`: proves write-once with a probe under `probe/`, never with evidence. */
  check(report?: (check: LockerCheck) => void): Promise<LockerCheck> {
    return checkLocker(this.store, () => this.retention.state(), this.clock.now(), report);
  }
}

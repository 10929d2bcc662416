import { CrosswalkError } from '@crosswalk/core';
import type { CreateOnceOptions, ObjectStore } from './store.js';

export type RetentionStatus = 'off' | 'enforced' | 'unsupported';

/**
 * Object Lock retention for write-once objects. Configured but unsupported by the bucket is reported (status
 * `unsupported`, and through `onUnsupported` once), never silently pretended: evidence still gets write-once
 * keys, but no WORM guarantee from the store.
 */
export class RetentionPolicy {
  private status: Promise<RetentionStatus> | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly days: number | undefined,
    private readonly clock: () => Date,
    private readonly onUnsupported: (message: string) => void,
  ) {}

  state(): Promise<RetentionStatus> {
    if (this.days === undefined) return Promise.resolve('off');
    this.status ??= this.store.supportsRetention().then(
      (supported) => {
        if (supported) return 'enforced';
        this.onUnsupported(
          `retention of ${this.days} days is configured but ${this.store.location} has no Object Lock; records are write-once by key only`,
        );
        return 'unsupported';
      },
      (error: unknown) => {
        this.status = undefined;
        throw error instanceof CrosswalkError
          ? error
          : new CrosswalkError('CW_LOCKER_UNAVAILABLE', String(error));
      },
    );
    return this.status;
  }

  async options(): Promise<CreateOnceOptions> {
    if ((await this.state()) !== 'enforced') return {};
    return { retainUntil: new Date(this.clock().getTime() + this.days! * 86_400_000) };
  }
}

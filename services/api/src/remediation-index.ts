import {
  parseRemediation,
  REMEDIATIONS_PREFIX,
  type Remediation,
  remediationControlOf,
} from '@crosswalk/assurance';
import type { Locker } from '@crosswalk/locker';

/**
 * Every control's remediations as stored now, for answers built from kept control test results. One listing of
 * `controls/remediations/` per call; each remediation is read once and kept by key, because remediations are
 * write-once (a key's bytes never change), so a new one costs one GET and nothing entered is ever missed.
 */
export class RemediationIndex {
  private readonly byKey = new Map<string, Remediation>();

  constructor(private readonly locker: Locker) {}

  /** Remediations per control, each control's oldest first (keys sort by entry time). */
  async byControl(): Promise<Map<string, Remediation[]>> {
    const found = new Map<string, Remediation[]>();
    const seen = new Set<string>();
    for await (const object of this.locker.store.list(REMEDIATIONS_PREFIX)) {
      const control = remediationControlOf(object.key);
      if (!control) continue;
      seen.add(object.key);
      let remediation = this.byKey.get(object.key);
      if (!remediation) {
        const bytes = await this.locker.store.get(object.key);
        if (!bytes) continue;
        remediation = parseRemediation(bytes, object.key, control);
        this.byKey.set(object.key, remediation);
      }
      const list = found.get(control);
      if (list) list.push(remediation);
      else found.set(control, [remediation]);
    }
    // Keys no longer listed (a bucket that allows deletes) are forgotten, so memory follows what is stored.
    for (const key of this.byKey.keys()) if (!seen.has(key)) this.byKey.delete(key);
    return found;
  }
}

import { defineKinds, type PayloadsOf } from '@crosswalk/core';
import { deprovisioningTimelinessSchema } from './payload.js';

/**
 * The evidence Crosswalk derives from other evidence. A timeliness answer is recomputed as what is known about its
 * ticket changes: each new answer names the one it replaces, and readers take the last (core's `resolveCurrent`).
 */
export const derivedKinds = defineKinds({
  'crosswalk.deprovisioning_timeliness': {
    cadence: 'event',
    title: 'Deprovisioning timeliness joined across ticket, IdP and code host',
    payload: deprovisioningTimelinessSchema,
    categories: ['deprovisioning_offboarding'],
    supersession: {
      subjectOf: (payload) => payload.ticket.evidenceId,
      supersedesOf: (payload) => payload.supersedes,
    },
  },
});

declare module '@crosswalk/core' {
  interface EvidenceKindPayloads extends PayloadsOf<typeof derivedKinds> {}
}

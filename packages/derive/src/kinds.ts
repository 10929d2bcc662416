import { defineKinds, type PayloadsOf } from '@crosswalk/core';
import { leaverTimelinessSchema, orphanedAccountsSchema } from './leaver-payloads.js';
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
  'crosswalk.leaver_timeliness': {
    cadence: 'event',
    title: 'HR termination joined to when the leaver lost access in each identity system',
    payload: leaverTimelinessSchema,
    categories: ['deprovisioning_offboarding'],
    supersession: {
      subjectOf: (payload) => payload.termination.evidenceId,
      supersedesOf: (payload) => payload.supersedes,
    },
  },
  'crosswalk.orphaned_accounts': {
    cadence: 'daily',
    title: "Active accounts of leavers or of no one HR knows, on each day's snapshots",
    payload: orphanedAccountsSchema,
    categories: ['deprovisioning_offboarding'],
    supersession: {
      subjectOf: (payload) => payload.day,
      supersedesOf: (payload) => payload.supersedes,
    },
  },
});

declare module '@crosswalk/core' {
  interface EvidenceKindPayloads extends PayloadsOf<typeof derivedKinds> {}
}

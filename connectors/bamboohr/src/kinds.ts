import { defineKinds, type PayloadsOf } from '@crosswalk/core';
import { bamboohrEmployeesSnapshotSchema, bamboohrTerminationSchema } from './payloads.js';

/**
 * The evidence BambooHR produces: who works here (and who left, and when), the HR side of joiners and leavers.
 * Names, payload shapes and categories are part of every stored record's meaning: never rename one, and change a
 * category only with a MAPPING_VERSION bump in @crosswalk/controls. A termination records a person leaving the
 * company, not an account losing access: it declares no `removal`, so the deprovisioning timeliness join never
 * counts it as one.
 */
export const bamboohrKinds = defineKinds({
  'bamboohr.employees_snapshot': {
    cadence: 'daily',
    title: 'BambooHR employees (status, work email, department, manager, termination date) snapshot',
    payload: bamboohrEmployeesSnapshotSchema,
    categories: ['user_provisioning_joiner', 'deprovisioning_offboarding'],
  },
  'bamboohr.termination': {
    cadence: 'event',
    title: 'BambooHR termination (the date HR entered and when it takes effect in UTC)',
    payload: bamboohrTerminationSchema,
    categories: ['deprovisioning_offboarding'],
  },
});

declare module '@crosswalk/core' {
  interface EvidenceKindPayloads extends PayloadsOf<typeof bamboohrKinds> {}
}

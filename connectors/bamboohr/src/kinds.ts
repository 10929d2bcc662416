import { accountOf, defineKinds, type PayloadsOf } from '@crosswalk/core';
import { bamboohrEmployeesSnapshotSchema, bamboohrTerminationSchema } from './payloads.js';

/**
 * The evidence BambooHR produces: who works here (and who left, and when), the HR side of joiners and leavers.
 * Names, payload shapes and categories are part of every stored record's meaning: never rename one, and change a
 * category only with a MAPPING_VERSION bump in @crosswalk/controls. A termination records a person leaving the
 * company, not an account losing access: it declares no `removal`, so the deprovisioning timeliness join never
 * counts it as one; it declares a `termination`, which the leaver join starts from.
 */
export const bamboohrKinds = defineKinds({
  'bamboohr.employees_snapshot': {
    cadence: 'daily',
    title: 'BambooHR employees (status, work email, department, manager, termination date) snapshot',
    payload: bamboohrEmployeesSnapshotSchema,
    categories: ['user_provisioning_joiner', 'deprovisioning_offboarding'],
    // The roster every system's accounts are matched to: active is BambooHR's status, endedAt the termination
    // taking effect (the joins compare it with the day they judge); the company's employee number is the
    // employee id other systems copy, BambooHR's own id where HR keeps none.
    accounts: {
      read: (snapshot) =>
        snapshot.employees.map((e) =>
          accountOf(e.person, e.status === 'Active', {
            email: e.workEmail,
            employeeId: e.employeeNumber ?? e.employeeId,
            endedAt: e.terminatedAt,
          }),
        ),
      holds: 'employment',
      matchBy: 'directory',
    },
  },
  'bamboohr.termination': {
    cadence: 'event',
    title: 'BambooHR termination (the date HR entered and when it takes effect in UTC)',
    payload: bamboohrTerminationSchema,
    categories: ['deprovisioning_offboarding'],
    termination: {
      read: (t) => ({
        person: t.person,
        employeeId: t.employeeNumber ?? t.employeeId,
        email: t.workEmail,
        terminatedAt: t.terminatedAt,
      }),
    },
  },
});

declare module '@crosswalk/core' {
  interface EvidenceKindPayloads extends PayloadsOf<typeof bamboohrKinds> {}
}

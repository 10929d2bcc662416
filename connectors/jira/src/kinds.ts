import { defineKinds, type PayloadsOf } from '@crosswalk/core';
import { jiraTicketSchema } from './payloads.js';

/**
 * The evidence Jira produces: three kinds of ticket with one shape; which tickets belong to which kind is a
 * configured JQL. Names, payload shapes and categories are part of every stored record's meaning: never rename
 * one, and change a category only with a MAPPING_VERSION bump in @crosswalk/controls.
 */
export const jiraKinds = defineKinds({
  'jira.deprovisioning_ticket': {
    cadence: 'event',
    title: 'Jira deprovisioning ticket',
    payload: jiraTicketSchema,
    categories: ['deprovisioning_offboarding'],
    // The ticket-based timeliness join starts from these: its clock starts at the ticket's creation.
    removalRequest: {
      read: (t) => ({ key: t.key, subject: t.subject, requestedAt: t.createdAt, resolvedAt: t.resolvedAt }),
    },
  },
  'jira.provisioning_ticket': {
    cadence: 'event',
    title: 'Jira provisioning ticket',
    payload: jiraTicketSchema,
    categories: ['user_provisioning_joiner'],
  },
  'jira.access_review_ticket': {
    cadence: 'quarterly',
    title: 'Jira access review ticket',
    payload: jiraTicketSchema,
    categories: ['user_access_review'],
  },
});

declare module '@crosswalk/core' {
  interface EvidenceKindPayloads extends PayloadsOf<typeof jiraKinds> {}
}

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineKinds,
  evidenceKindIds,
  evidenceKindSchema,
  isCrosswalkError,
  isEvidenceKind,
  kindDeclaration,
  kindsOfCategory,
  registerKinds,
} from '../src/index.js';

const example = (name: string) =>
  defineKinds({ [name]: { cadence: 'event', title: 'Example', payload: z.object({}), categories: ['x'] } });

describe('defineKinds', () => {
  it('refuses a name that is not <system>.<what> in lower case', () => {
    expect(() => example('Github.Stars')).toThrow(/kind "Github.Stars" must be named <system>.<what>/);
    expect(() => example('stars')).toThrow(/kind "stars" must be named/);
  });

  it('refuses a kind without an evidence category', () => {
    expect(() =>
      defineKinds({
        'example.item': { cadence: 'event', title: 'x', payload: z.object({}), categories: [] },
      }),
    ).toThrow(/kind "example.item" names no evidence category/);
  });
});

describe('the kind catalog (the built-in connectors registered by the test setup, as by the registry)', () => {
  it('answers with the declarations the connectors registered', () => {
    expect(isEvidenceKind('okta.policy')).toBe(true);
    expect(isEvidenceKind('gitlab.merge_request')).toBe(false);
    expect(kindDeclaration('okta.access_review').cadence).toBe('quarterly');
    expect(evidenceKindIds()).toContain('crosswalk.deprovisioning_timeliness');
    expect(kindsOfCategory('deprovisioning_offboarding')).toEqual([
      'github.member_removed',
      'okta.user_lifecycle',
      'entra.user_lifecycle',
      'google_workspace.admin_event',
      'jira.deprovisioning_ticket',
      'bamboohr.employees_snapshot',
      'bamboohr.termination',
      'aws.iam_change',
      'gitlab.member_removed',
      'crosswalk.deprovisioning_timeliness',
      'crosswalk.leaver_timeliness',
      'crosswalk.orphaned_accounts',
    ]);
    expect(kindDeclaration('github.pull_request.approval').system).toBe('github');
  });

  it('names an unknown kind and the known ones', () => {
    try {
      kindDeclaration('gitlab.merge_request');
      expect.unreachable();
    } catch (error) {
      expect(isCrosswalkError(error, 'CW_KIND_UNKNOWN')).toBe(true);
      expect((error as Error).message).toMatch(/"gitlab.merge_request": expected one of github\./);
    }
    const parsed = evidenceKindSchema.safeParse('gitlab.merge_request');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/^must be one of github\.pull_request\.approval, /);
  });

  it('refuses a kind registered twice, and any registration once it has been read', () => {
    expect(() => registerKinds('okta', example('okta.policy'))).toThrow(
      /evidence kind "okta.policy" is registered twice/,
    );
    evidenceKindIds();
    expect(() => registerKinds('example', example('example.late'))).toThrow(
      /kinds example.late registered after the kind catalog was first read/,
    );
    expect(isEvidenceKind('example.late')).toBe(false);
  });
});

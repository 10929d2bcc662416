import type { Role } from './types.js';

/** Where a role lands after login: auditors audit, the security team answers their questions. */
export function homeOf(role: Role): string {
  return role === 'auditor' ? '/controls' : '/flags';
}

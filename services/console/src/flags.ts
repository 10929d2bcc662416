import { api, get, query } from './api.js';
import type { Flag } from './types.js';

/** An auditor's flags: GET /v1/flags (status open, answered or all; one control or every one). */
export async function listFlags(status: 'open' | 'answered' | 'all', control?: string): Promise<Flag[]> {
  const answer = await get<{ flags: Flag[] }>(`/v1/flags${query({ status, control })}`);
  return answer.flags;
}

export function flagItem(control: string, item: string, comment: string): Promise<unknown> {
  return api('POST', `/v1/controls/${encodeURIComponent(control)}/flags`, { item, comment });
}

export function answerFlag(
  flag: Flag,
  type: 'remediation' | 'justification',
  text: string,
): Promise<unknown> {
  return api(
    'POST',
    `/v1/controls/${encodeURIComponent(flag.control)}/flags/${encodeURIComponent(flag.id)}/answers`,
    { type, text },
  );
}

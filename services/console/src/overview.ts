import { ApiError, get } from './api.js';
import type { ControlTest, RegisterControl, Window } from './types.js';

export interface OverviewRow {
  id: string;
  title: string;
  frequency: string;
  items: number | null;
  periods: { expected: number | null; operated: number | null };
  exceptions: { total: number; open: number; remediated: number };
  /** Set when the key may not test this control (outside its frameworks). */
  refused?: string;
}

interface OverviewAnswer {
  controls: (Omit<OverviewRow, 'items'> & { populationSize: number })[];
}

/**
 * The controls of a window: GET /v1/controls/overview, one request. Where the API has no such route yet, each
 * register control is tested in turn (GET /v1/controls/:id/test), which answers the same figures more slowly.
 */
export async function loadOverview(window: Window): Promise<OverviewRow[]> {
  const qs = `from=${window.from}&to=${window.to}`;
  try {
    const { controls } = await get<OverviewAnswer>(`/v1/controls/overview?${qs}`);
    return controls.map(({ populationSize, ...row }) => ({ ...row, items: populationSize }));
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404 && error.code === 'CW_NOT_FOUND')) throw error;
  }
  const { register } = await get<{ register: { controls: RegisterControl[] } }>('/v1/controls/register');
  return Promise.all(
    register.controls.map(async (control): Promise<OverviewRow> => {
      const base = { id: control.id, title: control.title, frequency: control.frequency };
      try {
        const test = await get<ControlTest>(
          `/v1/controls/${encodeURIComponent(control.id)}/test?${qs}&seed=overview&limit=1`,
        );
        const s = test.summary;
        return {
          ...base,
          items: s.items,
          periods: { expected: s.periodsExpected, operated: s.periodsOperated },
          exceptions: { total: s.exceptions, open: s.exceptionsOpen, remediated: s.exceptionsRemediated },
        };
      } catch (error) {
        // A window outside the key's period is refused for every control: that is the page's error, not a row's.
        if (error instanceof ApiError && error.status === 403 && error.where === 'params.id') {
          return {
            ...base,
            items: null,
            periods: { expected: null, operated: null },
            exceptions: { total: 0, open: 0, remediated: 0 },
            refused: error.message,
          };
        }
        throw error;
      }
    }),
  );
}

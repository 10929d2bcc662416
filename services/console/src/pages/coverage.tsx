import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { get } from '../api.js';
import { Grid } from '../components/grid.js';
import { CELL_STATES, Heatmap } from '../components/heatmap.js';
import { LoadStatus } from '../components/status.js';
import { WindowPicker } from '../components/window-picker.js';
import { useLoad } from '../load.js';
import { useCurrentSession } from '../session.js';
import { scopeFrameworks, windowFrom, windowQuery } from '../window.js';

interface Period {
  period: string;
  start: string;
  end: string;
  gap: boolean;
}
interface KindCoverage {
  kind: string;
  title: string;
  cadence: string;
  found: number;
  expected: number | null;
  gapPeriods: string[];
  failedRunDays: string[];
  noRunDays: string[];
  periods: Period[];
}
interface CoverageReport {
  window: { from: string; to: string };
  summary: {
    controls: number;
    complete: number;
    gaps: number;
    noEvidence: number;
    manual: number;
    records: number;
  };
  kinds: KindCoverage[];
  controls: {
    id: string;
    title: string;
    status: string;
    found: number;
    gapPeriods: number;
    failedRunDays: number;
  }[];
  runProblems: { connectorId: string; key: string; message: string }[];
}

function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at < Date.parse(`${to}T00:00:00Z`); at += 86_400_000) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

/** Each cell: a failed run that day, else a gap in the period holding it, else no run that day, else covered. */
function cellsOf(report: CoverageReport, days: string[]): [number, number, number][] {
  const cells: [number, number, number][] = [];
  report.kinds.forEach((kind, row) => {
    const failed = new Set(kind.failedRunDays);
    const noRun = new Set(kind.noRunDays);
    const gapPeriods = kind.periods.filter((p) => p.gap);
    days.forEach((day, column) => {
      const at = `${day}T00:00:00.000Z`;
      const gap = gapPeriods.some((p) => p.start <= at && at < p.end);
      const state = failed.has(day) ? 3 : gap ? 2 : noRun.has(day) ? 1 : 0;
      cells.push([column, row, state]);
    });
  });
  return cells;
}

/** How many, and which when they are few enough to read in a table cell. */
const fewNamed = (list: string[]) =>
  `${list.length}${list.length > 0 && list.length <= 4 ? `: ${list.join(', ')}` : ''}`;

/** The coverage picture: days x kinds for the window, gaps and failed runs visible at a glance, then in words. */
export function CoveragePage() {
  const { key } = useCurrentSession();
  const [search, setSearch] = useSearchParams();
  const window = windowFrom(search, key.scope);
  const allowed = scopeFrameworks(key.scope);
  const framework = search.get('framework') ?? allowed[0] ?? 'soc2';
  const report = useLoad(`${framework}?${windowQuery(window)}`, () =>
    get<CoverageReport>(`/v1/coverage?framework=${encodeURIComponent(framework)}&${windowQuery(window)}`),
  );
  const data = report.data;
  const days = useMemo(() => daysOf(window.from, window.to), [window.from, window.to]);
  const cells = useMemo(() => (data ? cellsOf(data, days) : []), [data, days]);
  const rows = useMemo(() => (data ? data.kinds.map((k) => `${k.kind} (${k.cadence})`) : []), [data]);

  return (
    <>
      <h1>Coverage</h1>
      <WindowPicker window={window} scope={key.scope} />
      <label className="inline">
        Framework{' '}
        <select
          value={framework}
          onChange={(event) => {
            const params = new URLSearchParams(search);
            params.set('framework', event.target.value);
            setSearch(params);
          }}
        >
          {allowed.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <LoadStatus load={report} what="coverage" />
      {data ? (
        <>
          <p>
            {data.summary.records} records; of {data.summary.controls} controls, {data.summary.complete}{' '}
            complete, {data.summary.gaps} with gaps, {data.summary.noEvidence} without evidence,{' '}
            {data.summary.manual} manual.
          </p>
          <Heatmap
            rows={rows}
            columns={days}
            cells={cells}
            label={`Coverage by day and evidence kind, ${window.from} to ${window.to}: ${CELL_STATES.join(', ')}`}
          />
          <Grid
            caption="Gaps and failed runs by kind"
            columns={[
              'Kind',
              'Cadence',
              'Found',
              'Expected',
              'Gap periods',
              'Days with only failed runs',
              'Days without a run',
            ]}
          >
            {data.kinds.map((kind) => (
              <tr
                key={kind.kind}
                className={kind.gapPeriods.length || kind.failedRunDays.length ? 'attention' : undefined}
              >
                <th scope="row">{kind.kind}</th>
                <td>{kind.cadence}</td>
                <td>{kind.found}</td>
                <td>{kind.expected ?? 'per event'}</td>
                <td>{fewNamed(kind.gapPeriods)}</td>
                <td>{fewNamed(kind.failedRunDays)}</td>
                <td>{kind.noRunDays.length}</td>
              </tr>
            ))}
          </Grid>
          {data.runProblems.length > 0 ? (
            <section aria-labelledby="problems-heading">
              <h2 id="problems-heading">Run chain problems</h2>
              <ul>
                {data.runProblems.map((problem) => (
                  <li key={problem.key}>
                    {problem.connectorId}: {problem.message}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      ) : null}
    </>
  );
}

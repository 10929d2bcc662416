import { useState } from 'react';
import { Link } from 'react-router';
import { get } from '../api.js';
import { useLoad } from '../load.js';
import type { ControlTest, Window } from '../types.js';
import { windowQuery } from '../window.js';
import { Grid } from './grid.js';
import { ErrorNote } from './status.js';

const PAGE = 50;

/**
 * The population of the window, a page at a time from the API (a year can hold tens of thousands of rows): search,
 * filter by outcome and order by when each item occurred are the server's, so they cover every row, not one page.
 */
export function PopulationTable({
  control,
  window,
  seed,
  records,
}: {
  control: string;
  window: Window;
  seed: string;
  records: number;
}) {
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState('');
  const [descending, setDescending] = useState(false);
  const [page, setPage] = useState(0);
  const params = new URLSearchParams({
    seed,
    limit: String(PAGE),
    offset: String(page * PAGE),
    sort: descending ? '-occurredAt' : 'occurredAt',
  });
  if (outcome) params.set('outcome', outcome);
  if (text.trim()) params.set('q', text.trim());
  const path = `/v1/controls/${encodeURIComponent(control)}/test?${windowQuery(window)}&${params}`;
  const { data, error, loading } = useLoad(path, () => get<ControlTest>(path));
  const rows = data?.population.rows ?? [];
  const matched = data?.population.page?.matched ?? rows.length;
  const pages = Math.max(1, Math.ceil(matched / PAGE));

  return (
    <section aria-labelledby="population-heading">
      <h2 id="population-heading">Population ({records})</h2>
      <div className="filters">
        <label>
          Search{' '}
          <input
            type="search"
            value={text}
            maxLength={200}
            onChange={(event) => {
              setText(event.target.value);
              setPage(0);
            }}
          />
        </label>
        <label>
          Outcome{' '}
          <select
            value={outcome}
            onChange={(event) => {
              setOutcome(event.target.value);
              setPage(0);
            }}
          >
            <option value="">all</option>
            <option value="pass">pass</option>
            <option value="fail">fail</option>
            <option value="pending">pending</option>
          </select>
        </label>
        <span aria-live="polite">{loading ? 'Loading…' : `${matched} matching`}</span>
      </div>
      <ErrorNote error={error} />
      <Grid
        className="population"
        columns={[
          <th scope="col" key="occurred" aria-sort={descending ? 'descending' : 'ascending'}>
            <button
              type="button"
              className="sort"
              onClick={() => {
                setDescending(!descending);
                setPage(0);
              }}
            >
              Occurred {descending ? '(newest first)' : '(oldest first)'}
            </button>
          </th>,
          'Item',
          'People',
          'Outcome',
          'Why it failed',
        ]}
      >
        {rows.map((row) => (
          <tr key={row.id} className={row.outcome === 'fail' ? 'attention' : undefined}>
            <td>{row.occurredAt.slice(0, 16).replace('T', ' ')}</td>
            <td>
              <Link to={`/evidence/${encodeURIComponent(row.id)}`}>{row.ref || row.id}</Link>
            </td>
            <td>{row.people}</td>
            <td>
              <span className={`badge ${row.outcome === 'fail' ? 'bad' : 'ok'}`}>{row.outcome}</span>
            </td>
            <td>{row.failed.join('; ')}</td>
          </tr>
        ))}
      </Grid>
      {pages > 1 ? (
        <nav className="pager" aria-label="Population pages">
          <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span>
            Page {page + 1} of {pages}
          </span>
          <button type="button" disabled={page >= pages - 1} onClick={() => setPage(page + 1)}>
            Next
          </button>
        </nav>
      ) : null}
    </section>
  );
}

import { Link, useSearchParams } from 'react-router';
import { ErrorNote, Loading } from '../components/status.js';
import { WindowPicker } from '../components/window-picker.js';
import { useLoad } from '../load.js';
import { loadOverview } from '../overview.js';
import { useCurrentSession } from '../session.js';
import { windowFrom, windowQuery } from '../window.js';

/** The auditor's first page: every register control over the window, its periods operated and its exceptions. */
export function ControlsPage() {
  const { key } = useCurrentSession();
  const [search] = useSearchParams();
  const window = windowFrom(search, key.scope);
  const { data, error, loading } = useLoad(windowQuery(window), () => loadOverview(window));

  return (
    <>
      <h1>Controls</h1>
      <WindowPicker window={window} scope={key.scope} />
      <ErrorNote error={error} />
      {loading ? <Loading what="the controls" /> : null}
      {data ? (
        <table className="grid">
          <caption>
            Controls tested over {window.from} to {window.to} (to exclusive)
          </caption>
          <thead>
            <tr>
              <th scope="col">Control</th>
              <th scope="col">Title</th>
              <th scope="col">Frequency</th>
              <th scope="col">Items</th>
              <th scope="col">Periods operated</th>
              <th scope="col">Exceptions</th>
              <th scope="col">Open</th>
              <th scope="col">Remediated</th>
            </tr>
          </thead>
          <tbody>
            {data.map((row) => (
              <tr key={row.id} className={row.exceptions.open > 0 ? 'attention' : undefined}>
                <th scope="row">
                  <Link to={`/controls/${encodeURIComponent(row.id)}?${windowQuery(window)}`}>{row.id}</Link>
                </th>
                <td>{row.title}</td>
                <td>{row.frequency}</td>
                {row.refused ? (
                  <td colSpan={5}>{row.refused}</td>
                ) : (
                  <>
                    <td>{row.items ?? '–'}</td>
                    <td>
                      {row.periods.expected === null
                        ? 'per event'
                        : `${row.periods.operated} of ${row.periods.expected}`}
                    </td>
                    <td>{row.exceptions.total}</td>
                    <td>{row.exceptions.open}</td>
                    <td>{row.exceptions.remediated}</td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

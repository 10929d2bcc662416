import { Link, useSearchParams } from 'react-router';
import { Grid } from '../components/grid.js';
import { LoadStatus } from '../components/status.js';
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
  const overview = useLoad(windowQuery(window), () => loadOverview(window));
  const data = overview.data;

  return (
    <>
      <h1>Controls</h1>
      <WindowPicker window={window} scope={key.scope} />
      <LoadStatus load={overview} what="the controls" />
      {data ? (
        <Grid
          caption={`Controls tested over ${window.from} to ${window.to} (to exclusive)`}
          columns={[
            'Control',
            'Title',
            'Frequency',
            'Items',
            'Periods operated',
            'Exceptions',
            'Open',
            'Remediated',
          ]}
        >
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
        </Grid>
      ) : null}
    </>
  );
}

import { useState } from 'react';
import { Link } from 'react-router';
import { api, get } from '../api.js';
import { Grid } from '../components/grid.js';
import { ErrorNote, LoadStatus } from '../components/status.js';
import { useLoad } from '../load.js';
import { useSending } from '../sending.js';
import type { RunSummary } from './runs.js';
import { lastRunsByCollector } from './runs.js';

export interface ConnectorView {
  id: string;
  type: string;
  config: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

interface ConnectorRow {
  connector: ConnectorView;
  runs: RunSummary[];
  /** Collector id -> when the next scheduled collection is queued. */
  next: Map<string, string | null>;
  error?: unknown;
}

interface Schedule {
  collector: string;
  pattern: string;
  next: string | null;
}

async function loadConnectors(): Promise<ConnectorRow[]> {
  const { connectors } = await get<{ connectors: ConnectorView[] }>('/v1/connectors');
  return Promise.all(
    connectors.map(async (connector) => {
      const base = `/v1/connectors/${encodeURIComponent(connector.id)}`;
      // Without Redis there are no schedules to read: the runs still show, the next run reads "unknown".
      const schedules = get<{ schedules: Schedule[] }>(`${base}/schedules`).then(
        (answer) => new Map(answer.schedules.map((s) => [s.collector, s.next])),
        () => new Map<string, string | null>(),
      );
      try {
        const { runs } = await get<{ runs: RunSummary[] }>(`${base}/runs?limit=200`);
        return { connector, runs, next: await schedules };
      } catch (error) {
        return { connector, runs: [], next: await schedules, error };
      }
    }),
  );
}

function CollectNow({ id }: { id: string }) {
  const [note, setNote] = useState<string | null>(null);
  const { error, send } = useSending();
  return (
    <>
      <button
        type="button"
        onClick={() =>
          send(async () => {
            const { jobs } = await api<{ jobs: { collector: string; state: string }[] }>(
              'POST',
              `/v1/connectors/${encodeURIComponent(id)}/collect`,
              {},
            );
            setNote(`queued: ${jobs.map((j) => `${j.collector} (${j.state})`).join(', ')}`);
          })
        }
      >
        Collect now<span className="visually-hidden"> from {id}</span>
      </button>
      {note ? <p aria-live="polite">{note}</p> : null}
      <ErrorNote error={error} />
    </>
  );
}

const when = (at: string | null | undefined) =>
  at ? `${at.slice(0, 16).replace('T', ' ')} UTC` : at === null ? 'not scheduled' : 'unknown';

/**
 * Every connector with each collector's last run (the last week), its failures with their codes, the next scheduled
 * run, and collect now.
 */
export function ConnectorsPage() {
  const connectors = useLoad('connectors', loadConnectors);
  return (
    <>
      <h1>Connectors</h1>
      <p>
        <Link to="/connectors/new">Add a connector</Link>
      </p>
      <LoadStatus load={connectors} what="connectors" />
      {connectors.data?.map(({ connector, runs, next, error: runsError }) => (
        <section key={connector.id} className="card" aria-labelledby={`c-${connector.id}`}>
          <h2 id={`c-${connector.id}`}>
            <Link to={`/connectors/${encodeURIComponent(connector.id)}`}>{connector.id}</Link>{' '}
            <span className="muted">({connector.type})</span>
          </h2>
          <ErrorNote error={runsError} />
          <Grid
            caption="Last run of each collector (the last 7 days)"
            columns={['Collector', 'Kind', 'Last run', 'Status', 'Stored', 'Failure', 'Next run']}
          >
            {lastRunsByCollector(runs).map(({ collector, run }) => (
              <tr key={collector.id} className={collector.status === 'failed' ? 'attention' : undefined}>
                <th scope="row">{collector.id}</th>
                <td>{collector.kind}</td>
                <td>{run.finishedAt.slice(0, 16).replace('T', ' ')}</td>
                <td>{collector.status}</td>
                <td>{collector.stored}</td>
                <td>
                  {collector.error ? (
                    <>
                      <code>{collector.error.code}</code> {collector.error.message}
                    </>
                  ) : (
                    '–'
                  )}
                </td>
                <td>{when(next.get(collector.id))}</td>
              </tr>
            ))}
          </Grid>
          {runs.length === 0 ? <p>No run in the last 7 days.</p> : null}
          <CollectNow id={connector.id} />
        </section>
      ))}
    </>
  );
}

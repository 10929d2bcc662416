import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, get } from '../api.js';
import { Grid } from '../components/grid.js';
import { ErrorNote, LoadStatus } from '../components/status.js';
import { patchOf, WRITE_ONLY } from '../config-patch.js';
import { useLoad } from '../load.js';
import { useSending } from '../sending.js';
import type { ConnectorView } from './connectors.js';
import { chainStatus, type RunSummary } from './runs.js';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`the config is not valid JSON: ${(error as Error).message}`);
  }
}

function ConfigForm({ view, onSaved }: { view: ConnectorView | null; onSaved(view: ConnectorView): void }) {
  const { error, send } = useSending();
  const [saved, setSaved] = useState<string | null>(null);
  const creating = view === null;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setSaved(null);
    await send(async () => {
      const config = parseJson(String(data.get('config') ?? ''));
      const next = creating
        ? await api<ConnectorView>('POST', '/v1/connectors', {
            id: String(data.get('id') ?? ''),
            type: String(data.get('type') ?? ''),
            ...(config as object),
          })
        : await api<ConnectorView>('PATCH', `/v1/connectors/${encodeURIComponent(view.id)}`, patchOf(config));
      setSaved(`saved at ${next.updatedAt}`);
      onSaved(next);
    });
  }

  return (
    <form className="config-form" onSubmit={submit} aria-labelledby="config-heading">
      <h2 id="config-heading">{creating ? 'New connector' : 'Configuration'}</h2>
      {creating ? (
        <>
          <label>
            Id <input name="id" required pattern="[a-z0-9][a-z0-9-]*" />
          </label>
          <label>
            Type{' '}
            <select name="type">
              <option value="github">github</option>
              <option value="okta">okta</option>
              <option value="jira">jira</option>
            </select>
          </label>
        </>
      ) : null}
      <label htmlFor="config">Config (JSON)</label>
      <textarea
        id="config"
        name="config"
        rows={16}
        spellCheck={false}
        defaultValue={JSON.stringify(view?.config ?? {}, null, 2)}
        aria-describedby="config-help"
      />
      <p id="config-help" className="hint">
        Credentials are write-only: they read "{WRITE_ONLY}" and stay as they are unless you type a new value.
        Set a field to null to remove it. The connector type's schema checks the whole config before anything
        is saved.
      </p>
      <button type="submit">{creating ? 'Create' : 'Save'}</button>
      {saved ? <p aria-live="polite">{saved}</p> : null}
      <ErrorNote error={error} />
    </form>
  );
}

/** One connector: its run history with the chain status, and its config (admin). `new` creates one. */
export function ConnectorPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const creating = id === 'new';
  const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const view = useLoad(creating ? null : `view:${id}`, () =>
    get<ConnectorView>(`/v1/connectors/${encodeURIComponent(id)}`),
  );
  const runs = useLoad(creating ? null : `runs:${id}`, () =>
    get<{ runs: RunSummary[] }>(`/v1/connectors/${encodeURIComponent(id)}/runs?from=${since}&limit=200`),
  );
  const chain = runs.data ? new Map(chainStatus(runs.data.runs).map((c) => [c.runId, c.status])) : new Map();

  return (
    <>
      <p className="crumbs">
        <Link to="/connectors">Connectors</Link> / {id}
      </p>
      <h1>{creating ? 'Add a connector' : id}</h1>
      {creating ? (
        <ConfigForm view={null} onSaved={(next) => navigate(`/connectors/${encodeURIComponent(next.id)}`)} />
      ) : (
        <>
          <section aria-labelledby="runs-heading">
            <h2 id="runs-heading">Runs (the last 30 days)</h2>
            <LoadStatus load={runs} what="runs" />
            {runs.data && runs.data.runs.length === 0 ? <p>No run in the last 30 days.</p> : null}
            {runs.data && runs.data.runs.length > 0 ? (
              <Grid
                columns={['Started', 'Trigger', 'Status', 'Stored', 'Failures', 'Chain', 'Manifest SHA-256']}
              >
                {[...runs.data.runs].reverse().map((run) => (
                  <tr key={run.runId} className={run.status === 'succeeded' ? undefined : 'attention'}>
                    <td>{run.startedAt.slice(0, 19).replace('T', ' ')}</td>
                    <td>{String(run.trigger.type ?? '')}</td>
                    <td>{run.status}</td>
                    <td>{run.recordsStored}</td>
                    <td>
                      {run.collectors
                        .filter((c) => c.error)
                        .map((c) => `${c.id}: ${c.error?.code} ${c.error?.message}`)
                        .join('; ') || '–'}
                    </td>
                    <td>{chain.get(run.runId)}</td>
                    <td>
                      <code className="hash">{run.sha256.slice(0, 16)}…</code>
                    </td>
                  </tr>
                ))}
              </Grid>
            ) : null}
          </section>
          <ErrorNote error={view.error} />
          {view.data ? <ConfigForm view={view.data} onSaved={() => view.reload()} /> : null}
        </>
      )}
    </>
  );
}

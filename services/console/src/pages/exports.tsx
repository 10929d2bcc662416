import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, get } from '../api.js';
import { ErrorNote, Loading } from '../components/status.js';
import { useLoad } from '../load.js';
import { useCurrentSession } from '../session.js';
import { defaultWindow, outsideScope, scopeDay } from '../window.js';

export interface ExportItem {
  id: string;
  status: string;
  request: {
    frameworks: string[];
    controls: string[] | null;
    from: string;
    to: string;
    requestedAt: string;
    requestedBy: string;
  };
}

/** Ask for a signed bundle of the window, and the exports asked for so far (those inside the key's scope). */
export function ExportsPage() {
  const { key } = useCurrentSession();
  const navigate = useNavigate();
  const list = useLoad('exports', () => get<{ exports: ExportItem[] }>('/v1/exports?limit=100'));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const window = defaultWindow(key.scope);
  const allowed = key.scope?.frameworks?.length ? key.scope.frameworks : ['soc2', 'iso27001'];

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const frameworks = data.getAll('framework').map(String);
    const asked = { from: String(data.get('from')), to: String(data.get('to')) };
    const problem =
      frameworks.length === 0 ? 'choose at least one framework' : outsideScope(asked, key.scope);
    if (problem) {
      setError(new Error(problem));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // The idempotency key makes a retried click answer with the same export, never a second one.
      const created = await api<ExportItem>(
        'POST',
        '/v1/exports',
        { frameworks, ...asked },
        {
          'idempotency-key': crypto.randomUUID(),
        },
      );
      navigate(`/exports/${created.id}`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Exports</h1>
      <form className="export-form" onSubmit={submit} aria-labelledby="ask-heading" noValidate>
        <h2 id="ask-heading">Ask for an export</h2>
        <fieldset>
          <legend>Frameworks</legend>
          {allowed.map((name, index) => (
            <label key={name}>
              <input type="checkbox" name="framework" value={name} defaultChecked={index === 0} /> {name}
            </label>
          ))}
        </fieldset>
        <label>
          From{' '}
          <input
            type="date"
            name="from"
            defaultValue={window.from}
            min={scopeDay(key.scope?.from) ?? undefined}
            max={scopeDay(key.scope?.to) ?? undefined}
            required
          />
        </label>
        <label>
          To (exclusive){' '}
          <input
            type="date"
            name="to"
            defaultValue={window.to}
            min={scopeDay(key.scope?.from) ?? undefined}
            max={scopeDay(key.scope?.to) ?? undefined}
            required
          />
        </label>
        <button type="submit" disabled={busy}>
          Ask for the export
        </button>
        <ErrorNote error={error} />
      </form>
      <h2>Exports asked for</h2>
      <ErrorNote error={list.error} />
      {list.loading ? <Loading what="exports" /> : null}
      {list.data ? (
        list.data.exports.length === 0 ? (
          <p>None yet.</p>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Asked</th>
                <th scope="col">Frameworks</th>
                <th scope="col">Window</th>
                <th scope="col">By</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {[...list.data.exports].reverse().map((item) => (
                <tr key={item.id}>
                  <td>
                    <Link to={`/exports/${item.id}`}>
                      {item.request.requestedAt.slice(0, 16).replace('T', ' ')}
                    </Link>
                  </td>
                  <td>{item.request.frameworks.join(', ')}</td>
                  <td>
                    {item.request.from.slice(0, 10)} to {item.request.to.slice(0, 10)}
                  </td>
                  <td>{item.request.requestedBy}</td>
                  <td>{item.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </>
  );
}

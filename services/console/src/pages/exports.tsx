import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, get } from '../api.js';
import { FrameworkBoxes } from '../components/framework-boxes.js';
import { Grid } from '../components/grid.js';
import { ErrorNote, LoadStatus } from '../components/status.js';
import { WindowFields } from '../components/window-picker.js';
import { useLoad } from '../load.js';
import { useSending } from '../sending.js';
import { useCurrentSession } from '../session.js';
import { defaultWindow, outsideScope, scopeFrameworks } from '../window.js';

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
  const { busy, error, refuse, send } = useSending();
  const window = defaultWindow(key.scope);
  const allowed = scopeFrameworks(key.scope);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const frameworks = data.getAll('framework').map(String);
    const asked = { from: String(data.get('from')), to: String(data.get('to')) };
    const problem =
      frameworks.length === 0 ? 'choose at least one framework' : outsideScope(asked, key.scope);
    if (problem) {
      refuse(problem);
      return;
    }
    await send(async () => {
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
    });
  }

  return (
    <>
      <h1>Exports</h1>
      <form className="export-form" onSubmit={submit} aria-labelledby="ask-heading" noValidate>
        <h2 id="ask-heading">Ask for an export</h2>
        <fieldset>
          <legend>Frameworks</legend>
          <FrameworkBoxes names={allowed} />
        </fieldset>
        <WindowFields window={window} scope={key.scope} />
        <button type="submit" disabled={busy}>
          Ask for the export
        </button>
        <ErrorNote error={error} />
      </form>
      <h2>Exports asked for</h2>
      <LoadStatus load={list} what="exports" />
      {list.data ? (
        list.data.exports.length === 0 ? (
          <p>None yet.</p>
        ) : (
          <Grid columns={['Asked', 'Frameworks', 'Window', 'By', 'Status']}>
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
          </Grid>
        )
      ) : null}
    </>
  );
}

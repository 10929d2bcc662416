import { type FormEvent, useState } from 'react';
import { api, get } from '../api.js';
import { FrameworkBoxes } from '../components/framework-boxes.js';
import { Grid } from '../components/grid.js';
import { ErrorNote, LoadStatus } from '../components/status.js';
import { useLoad } from '../load.js';
import { useSending } from '../sending.js';
import type { KeyScope, Role } from '../types.js';
import { defaultWindow, scopeFrameworks } from '../window.js';

interface KeyView {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  scope: KeyScope | null;
}

const dayOf = (at: string | null | undefined) => (at ? at.slice(0, 10) : '…');

function scopeText(scope: KeyScope | null): string {
  if (!scope) return 'everything';
  return `${dayOf(scope.from)} to ${dayOf(scope.to)}${scope.frameworks ? `, ${scope.frameworks.join(', ')}` : ''}`;
}

/**
 * API keys (admin): create an auditor key scoped to a period and frameworks, see every key, revoke one. A new
 * key's token is shown here once (the server keeps only its hash) and is dropped when the page is left.
 */
export function KeysPage() {
  const list = useLoad('keys', () => get<{ keys: KeyView[] }>('/v1/keys'));
  const [created, setCreated] = useState<{ token: string; key: KeyView } | null>(null);
  const { error, send } = useSending();
  const window = defaultWindow(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const role = String(data.get('role')) as Role;
    const frameworks = data.getAll('framework').map(String);
    const from = String(data.get('from') ?? '');
    const to = String(data.get('to') ?? '');
    const expiresAt = String(data.get('expiresAt') ?? '');
    await send(async () => {
      const answer = await api<{ token: string; key: KeyView }>('POST', '/v1/keys', {
        name: String(data.get('name') ?? ''),
        role,
        ...(expiresAt ? { expiresAt } : {}),
        ...(role === 'auditor'
          ? {
              scope: {
                ...(from ? { from } : {}),
                ...(to ? { to } : {}),
                ...(frameworks.length > 0 ? { frameworks } : {}),
              },
            }
          : {}),
      });
      setCreated(answer);
      form.reset();
      list.reload();
    });
  }

  async function revoke(key: KeyView) {
    if (!globalThis.confirm(`Revoke ${key.name} (${key.id})? Its holder is refused from the next request.`))
      return;
    await send(async () => {
      await api('DELETE', `/v1/keys/${encodeURIComponent(key.id)}`);
      list.reload();
    });
  }

  return (
    <>
      <h1>API keys</h1>
      <form className="export-form" onSubmit={submit} aria-labelledby="new-key-heading" noValidate>
        <h2 id="new-key-heading">New key</h2>
        <label>
          Name <input name="name" required maxLength={200} />
        </label>
        <label>
          Role{' '}
          <select name="role" defaultValue="auditor">
            <option value="auditor">auditor</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <fieldset>
          <legend>Auditor scope</legend>
          <label>
            From <input type="date" name="from" defaultValue={window.from} />
          </label>
          <label>
            To (exclusive) <input type="date" name="to" defaultValue={window.to} />
          </label>
          <FrameworkBoxes names={scopeFrameworks(null)} />
        </fieldset>
        <label>
          Expires <input type="date" name="expiresAt" />
        </label>
        <button type="submit">Create key</button>
      </form>
      <ErrorNote error={error} />
      {created ? (
        <div className="card" role="status">
          <p>
            Key <strong>{created.key.name}</strong> ({created.key.role}, {scopeText(created.key.scope)}). Its
            token, shown this once:
          </p>
          <p>
            <code className="hash" data-testid="new-token">
              {created.token}
            </code>
          </p>
          <p className="hint">
            Hand it over through a channel you trust; this page forgets it when you leave.
          </p>
        </div>
      ) : null}
      <h2>Keys</h2>
      <LoadStatus load={list} what="keys" />
      {list.data ? (
        <Grid className="keys" columns={['Name', 'Id', 'Role', 'Scope', 'Expires', 'Created', 'State']}>
          {list.data.keys.map((key) => (
            <tr key={key.id}>
              <th scope="row">{key.name}</th>
              <td>
                <code>{key.id}</code>
              </td>
              <td>{key.role}</td>
              <td>{scopeText(key.scope)}</td>
              <td>{key.expiresAt ? dayOf(key.expiresAt) : 'never'}</td>
              <td>
                {dayOf(key.createdAt)} by {key.createdBy}
              </td>
              <td>
                {key.revokedAt ? (
                  `revoked ${dayOf(key.revokedAt)}`
                ) : (
                  <button type="button" className="small" onClick={() => revoke(key)}>
                    Revoke<span className="visually-hidden"> {key.name}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </Grid>
      ) : null}
    </>
  );
}

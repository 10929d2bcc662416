import { get } from '../api.js';
import { ErrorNote, Loading } from '../components/status.js';
import { useLoad } from '../load.js';
import type { RegisterControl } from '../types.js';

interface RegisterAnswer {
  source: { source: string; sha256: string; version: number | null; file: string | null } | string;
  register: { controls: RegisterControl[] };
}

/** The control register in force (read only: it is edited as a file in git, or applied through the API). */
export function RegisterPage() {
  const { data, error, loading } = useLoad('register', () => get<RegisterAnswer>('/v1/controls/register'));
  const source = data && typeof data.source === 'object' ? data.source : null;
  return (
    <>
      <h1>Control register</h1>
      <ErrorNote error={error} />
      {loading ? <Loading what="the register" /> : null}
      {source ? (
        <p>
          In force: {source.source}
          {source.version !== null ? `, version ${source.version}` : ''}
          {source.file ? ` from ${source.file}` : ''}, SHA-256 <code className="hash">{source.sha256}</code>.
          It changes as a file in git (<code>crosswalk controls apply</code>) or through{' '}
          <code>POST /v1/controls/register</code>; every version is kept.
        </p>
      ) : null}
      {data ? (
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Control</th>
              <th scope="col">Title</th>
              <th scope="col">Owner</th>
              <th scope="col">Frequency</th>
              <th scope="col">Evidence</th>
              <th scope="col">Test</th>
            </tr>
          </thead>
          <tbody>
            {data.register.controls.map((control) => (
              <tr key={control.id}>
                <th scope="row">{control.id}</th>
                <td>{control.title}</td>
                <td>{control.owner ?? '–'}</td>
                <td>{control.frequency}</td>
                <td>{control.evidence.map((e) => e.kind).join(', ')}</td>
                <td>
                  <code>{JSON.stringify(control.test)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

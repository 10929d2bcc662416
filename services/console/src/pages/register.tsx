import { get } from '../api.js';
import { Grid } from '../components/grid.js';
import { LoadStatus } from '../components/status.js';
import { useLoad } from '../load.js';
import type { RegisterControl } from '../types.js';

interface RegisterAnswer {
  source: { source: string; sha256: string; version: number | null; file: string | null } | string;
  register: { controls: RegisterControl[] };
}

/** The control register in force (read only: it is edited as a file in git, or applied through the API). */
export function RegisterPage() {
  const register = useLoad('register', () => get<RegisterAnswer>('/v1/controls/register'));
  const data = register.data;
  const source = data && typeof data.source === 'object' ? data.source : null;
  return (
    <>
      <h1>Control register</h1>
      <LoadStatus load={register} what="the register" />
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
        <Grid columns={['Control', 'Title', 'Owner', 'Frequency', 'Evidence', 'Test']}>
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
        </Grid>
      ) : null}
    </>
  );
}

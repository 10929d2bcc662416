import { type FormEvent, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { get } from '../api.js';
import { FlagButton } from '../components/flag-button.js';
import { FlagThread } from '../components/flag-thread.js';
import { Grid } from '../components/grid.js';
import { PopulationTable } from '../components/population-table.js';
import { LoadStatus } from '../components/status.js';
import { WindowPicker } from '../components/window-picker.js';
import { listFlags } from '../flags.js';
import { useLoad } from '../load.js';
import { useCurrentSession } from '../session.js';
import type { ControlTest } from '../types.js';
import { windowFrom, windowQuery } from '../window.js';

const SEED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * One control over the window, as GET /v1/controls/:id/test answers it (the same as `crosswalk controls test`
 * with the same seed): operation per period, exceptions with their remediations, the sample, the population.
 */
export function ControlPage() {
  const { id = '' } = useParams();
  const { key } = useCurrentSession();
  const [search, setSearch] = useSearchParams();
  const window = windowFrom(search, key.scope);
  const seed = search.get('seed') ?? '';
  const test = useLoad(`${id}?${windowQuery(window)}&seed=${seed}`, () =>
    get<ControlTest>(
      // One page of the population comes along; the table asks for the others.
      `/v1/controls/${encodeURIComponent(id)}/test?${windowQuery(window)}&limit=1${seed ? `&seed=${encodeURIComponent(seed)}` : ''}`,
    ),
  );
  const flags = useLoad(`flags:${id}`, () => listFlags('all', id));
  const [seedProblem, setSeedProblem] = useState<string | null>(null);

  function redraw(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const next = String(new FormData(event.currentTarget).get('seed') ?? '').trim();
    if (!SEED.test(next)) {
      setSeedProblem('a seed is 1-128 letters, digits, ".", "_", ":" or "-"');
      return;
    }
    setSeedProblem(null);
    const params = new URLSearchParams(search);
    params.set('from', window.from);
    params.set('to', window.to);
    params.set('seed', next);
    setSearch(params);
  }

  const data = test.data;
  /** An item's questions: its flags so far, and a button to ask one more. */
  const questions = (item: string, label: string) => (
    <td>
      {(flags.data ?? [])
        .filter((flag) => flag.item === item)
        .map((flag) => (
          <FlagThread key={flag.id} flag={flag} />
        ))}
      <FlagButton control={id} item={item} label={label} onFlagged={flags.reload} />
    </td>
  );

  return (
    <>
      <p className="crumbs">
        <Link to={`/controls?${windowQuery(window)}`}>Controls</Link> / {id}
      </p>
      <h1>
        {id}
        {data ? `: ${data.control.title}` : ''}
      </h1>
      <WindowPicker window={window} scope={key.scope} />
      <LoadStatus load={test} what={`the test of ${id}`} />
      {data ? (
        <>
          <section aria-labelledby="summary-heading">
            <h2 id="summary-heading">Summary</h2>
            {data.control.description ? <p>{data.control.description}</p> : null}
            <dl className="facts">
              <dt>Owner</dt>
              <dd>{data.control.owner ?? '–'}</dd>
              <dt>Frequency</dt>
              <dd>{data.control.frequency}</dd>
              <dt>Items</dt>
              <dd>
                {data.summary.items}: {data.summary.passed} passed, {data.summary.failed} failed,{' '}
                {data.summary.pending} pending
              </dd>
              <dt>Periods operated</dt>
              <dd>
                {data.summary.periodsExpected === null
                  ? 'per event (no periods)'
                  : `${data.summary.periodsOperated} of ${data.summary.periodsExpected}`}
              </dd>
              <dt>Exceptions</dt>
              <dd>
                {data.summary.exceptions} ({data.summary.exceptionsOpen} open,{' '}
                {data.summary.exceptionsRemediated} remediated)
              </dd>
            </dl>
          </section>

          {data.operation.length > 0 ? (
            <section aria-labelledby="operation-heading">
              <h2 id="operation-heading">Operation per period</h2>
              <Grid columns={['Period', 'Items', 'Passed', 'Failed', 'Status']}>
                {data.operation.map((period) => (
                  <tr key={period.period} className={period.status === 'operated' ? undefined : 'attention'}>
                    <th scope="row">{period.period}</th>
                    <td>{period.items}</td>
                    <td>{period.passed}</td>
                    <td>{period.failed}</td>
                    <td>{period.status}</td>
                  </tr>
                ))}
              </Grid>
            </section>
          ) : null}

          <section aria-labelledby="exceptions-heading">
            <h2 id="exceptions-heading">Exceptions ({data.exceptions.length})</h2>
            {data.exceptions.length === 0 ? <p>No exceptions in this window.</p> : null}
            {data.exceptions.length > 0 ? (
              <Grid
                className="exceptions"
                columns={['Item', 'Occurred', 'What failed', 'Status', 'Remediations', 'Questions']}
              >
                {data.exceptions.map((exception) => (
                  <tr key={exception.item}>
                    <th scope="row">
                      {exception.item.includes('~') ? (
                        <Link to={`/evidence/${encodeURIComponent(exception.item)}`}>
                          {exception.ref ?? exception.item}
                        </Link>
                      ) : (
                        exception.item
                      )}
                    </th>
                    <td>{exception.occurredAt?.slice(0, 10) ?? '–'}</td>
                    <td>{exception.failed.join('; ')}</td>
                    <td>
                      <span className={`badge ${exception.status === 'open' ? 'bad' : 'ok'}`}>
                        {exception.status}
                      </span>
                    </td>
                    <td>
                      {exception.remediations.length === 0
                        ? 'none'
                        : exception.remediations.map((r, index) => (
                            // biome-ignore lint/suspicious/noArrayIndexKey: remediations are append-only
                            <p key={index}>
                              {String(r.type ?? 'remediation')}: {String(r.text ?? r.note ?? '')}{' '}
                              <span className="muted">{String(r.by ?? '')}</span>
                            </p>
                          ))}
                    </td>
                    {questions(exception.item, exception.ref ?? exception.item)}
                  </tr>
                ))}
              </Grid>
            ) : null}
          </section>

          <section aria-labelledby="sample-heading">
            <h2 id="sample-heading">Sample</h2>
            <dl className="facts">
              <dt>Seed</dt>
              <dd>
                <code data-testid="sample-seed">{data.sample.seed}</code>
              </dd>
              <dt>Size</dt>
              <dd>{data.sample.size}</dd>
              <dt>Method</dt>
              <dd>{data.sample.method}</dd>
              <dt>Population SHA-256</dt>
              <dd>
                <code className="hash">{data.sample.populationSha256}</code>
              </dd>
            </dl>
            <form className="inline" onSubmit={redraw}>
              <label>
                Seed <input name="seed" defaultValue={data.sample.seed} key={data.sample.seed} required />
              </label>
              <button type="submit">Re-draw with this seed</button>
              {seedProblem ? (
                <p role="alert" className="error">
                  {seedProblem}
                </p>
              ) : null}
            </form>
            <p className="hint">
              The same sample from the command line:{' '}
              <code>
                crosswalk controls test --control {id} --from {window.from} --to {window.to} --seed{' '}
                {data.sample.seed}
              </code>
            </p>
            <Grid className="sample" columns={['Rank', 'Item', 'Occurred', 'Outcome', 'Questions']}>
              {data.sample.items.map((item) => (
                <tr key={item.id} data-evidence-id={item.id}>
                  <td>{item.rank}</td>
                  <td>
                    <Link to={`/evidence/${encodeURIComponent(item.id)}`}>{item.ref ?? item.id}</Link>
                  </td>
                  <td>{item.occurredAt?.slice(0, 10) ?? '–'}</td>
                  <td>{item.outcome}</td>
                  {questions(item.id, item.ref ?? item.id)}
                </tr>
              ))}
            </Grid>
          </section>

          <PopulationTable
            control={id}
            window={window}
            seed={data.sample.seed}
            records={data.population.records}
          />
        </>
      ) : null}
    </>
  );
}

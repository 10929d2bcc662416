import { type FormEvent, useId } from 'react';
import { Link, useSearchParams } from 'react-router';
import { FlagThread } from '../components/flag-thread.js';
import { ErrorNote, LoadStatus } from '../components/status.js';
import { answerFlag, listFlags } from '../flags.js';
import { useLoad } from '../load.js';
import { useSending } from '../sending.js';
import { useCurrentSession } from '../session.js';
import type { Flag } from '../types.js';

type Status = 'open' | 'answered' | 'all';

function AnswerForm({ flag, onAnswered }: { flag: Flag; onAnswered(): void }) {
  const { busy, error, refuse, send } = useSending();
  const id = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const type = data.get('type') === 'justification' ? 'justification' : 'remediation';
    const text = String(data.get('text') ?? '').trim();
    if (!text) {
      refuse('the answer needs a text');
      return;
    }
    await send(async () => {
      await answerFlag(flag, type, text);
      onAnswered();
    });
  }

  return (
    <form className="answer-form" onSubmit={submit}>
      <fieldset>
        <legend>Answer as</legend>
        <label>
          <input type="radio" name="type" value="remediation" defaultChecked /> remediation
        </label>
        <label>
          <input type="radio" name="type" value="justification" /> justification
        </label>
      </fieldset>
      <label htmlFor={id}>Answer</label>
      <textarea id={id} name="text" rows={3} required maxLength={4000} />
      <button type="submit" disabled={busy}>
        Send answer
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

/**
 * The auditors' questions. The security team answers each with a remediation or a justification; flags and
 * answers are write-once records (who, when), never edited, and go into the next export.
 */
export function FlagsPage() {
  const { key } = useCurrentSession();
  const [search, setSearch] = useSearchParams();
  const status = (search.get('status') as Status | null) ?? 'open';
  const flags = useLoad(status, () => listFlags(status));
  const { data, reload } = flags;
  const canAnswer = key.role !== 'auditor';

  return (
    <>
      <h1>Flags</h1>
      <label className="inline">
        Show{' '}
        <select value={status} onChange={(event) => setSearch({ status: event.target.value })}>
          <option value="open">open</option>
          <option value="answered">answered</option>
          <option value="all">all</option>
        </select>
      </label>
      <LoadStatus load={flags} what="flags" />
      {data && data.length === 0 ? <p>No {status === 'all' ? '' : status} flags.</p> : null}
      {data?.map((flag) => (
        <section key={flag.id} className="card" aria-label={`Flag on ${flag.control} ${flag.item}`}>
          <h2>
            {flag.control}:{' '}
            {flag.item.includes('~') ? (
              <Link to={`/evidence/${encodeURIComponent(flag.item)}`}>{flag.item}</Link>
            ) : (
              flag.item
            )}
          </h2>
          <FlagThread flag={flag} />
          {canAnswer && flag.status !== 'answered' ? <AnswerForm flag={flag} onAnswered={reload} /> : null}
        </section>
      ))}
    </>
  );
}

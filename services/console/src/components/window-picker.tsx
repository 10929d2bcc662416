import { type FormEvent, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { KeyScope, Window } from '../types.js';
import { outsideScope, scopeDay } from '../window.js';

/** The two days of a window (fields `from` and `to`), bounded by the key's period when it has one. */
export function WindowFields({ window, scope }: { window: Window; scope: KeyScope | null }) {
  const min = scopeDay(scope?.from) ?? undefined;
  const max = scopeDay(scope?.to) ?? undefined;
  return (
    <>
      <label>
        From <input type="date" name="from" defaultValue={window.from} min={min} max={max} required />
      </label>
      <label>
        To (exclusive) <input type="date" name="to" defaultValue={window.to} min={min} max={max} required />
      </label>
    </>
  );
}

/**
 * The audit window (from inclusive, to exclusive, as days). A scoped key's period bounds the pickers, and a window
 * outside it is refused here before any request; the server refuses it too (a URL edited by hand gets its 403).
 */
export function WindowPicker({ window, scope }: { window: Window; scope: KeyScope | null }) {
  const [search, setSearch] = useSearchParams();
  const [problem, setProblem] = useState<string | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const next = { from: String(data.get('from') ?? ''), to: String(data.get('to') ?? '') };
    const reason = !next.from || !next.to ? 'both dates are needed' : outsideScope(next, scope);
    setProblem(reason);
    if (reason) return;
    const params = new URLSearchParams(search);
    params.set('from', next.from);
    params.set('to', next.to);
    params.delete('seed');
    setSearch(params);
  }

  return (
    // noValidate: the reason a window is refused is said in words (role=alert), not by a browser tooltip.
    <form
      className="window"
      onSubmit={submit}
      aria-label="Audit window"
      key={`${window.from}/${window.to}`}
      noValidate
    >
      <WindowFields window={window} scope={scope} />
      <button type="submit">Show</button>
      {problem ? (
        <p role="alert" className="error">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

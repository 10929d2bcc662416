import { type FormEvent, useId, useState } from 'react';
import { flagItem } from '../flags.js';
import { useSending } from '../sending.js';
import { ErrorNote } from './status.js';

/**
 * "Flag" on a sampled item or an exception: opens a comment field; the flag is a write-once record (with who and
 * when) the security team answers, and it goes into the next export.
 */
export function FlagButton({
  control,
  item,
  label,
  onFlagged,
}: {
  control: string;
  item: string;
  label: string;
  onFlagged(): void;
}) {
  const [open, setOpen] = useState(false);
  const { busy, error, refuse, send } = useSending();
  const id = useId();

  if (!open) {
    return (
      <button type="button" className="small" onClick={() => setOpen(true)} aria-label={`Flag ${label}`}>
        Flag
      </button>
    );
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const comment = String(new FormData(event.currentTarget).get('comment') ?? '').trim();
    if (!comment) {
      refuse('a comment is needed: say what you ask about this item');
      return;
    }
    await send(async () => {
      await flagItem(control, item, comment);
      setOpen(false);
      onFlagged();
    });
  }

  return (
    <form className="flag-form" onSubmit={submit}>
      <label htmlFor={id}>Comment on {label}</label>
      <textarea id={id} name="comment" rows={3} required maxLength={4000} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Send flag
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}

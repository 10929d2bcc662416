import type { Flag } from '../types.js';

const when = (at: string | undefined) => (at ? `${at.slice(0, 16).replace('T', ' ')} UTC` : '');

/** A flag and its answers, oldest first: nothing in the thread is ever edited or removed. */
export function FlagThread({ flag }: { flag: Flag }) {
  return (
    <article className="flag" aria-label={`Flag on ${flag.item}`}>
      <p>
        <strong>{flag.by ?? 'auditor'}</strong> <span className="muted">{when(flag.at)}</span>:{' '}
        <span className="comment">{flag.comment}</span>{' '}
        <span className={`badge ${flag.status === 'open' ? 'warn' : 'ok'}`}>{flag.status ?? 'open'}</span>
      </p>
      {(flag.answers ?? []).map((answer, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: answers are append-only, so their order is their identity
        <p key={index} className="answer">
          <span className="badge">{answer.type}</span> <strong>{answer.by ?? 'security team'}</strong>{' '}
          <span className="muted">{when(answer.at)}</span>: <span className="answer-text">{answer.text}</span>
        </p>
      ))}
    </article>
  );
}

import { ApiError } from '../api.js';

/** An API error as the person should read it: the server's message (it names the field), and its code. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div role="alert" className="error">
      <strong>{error instanceof ApiError && error.status === 403 ? 'Not allowed: ' : 'Error: '}</strong>
      {message}
      {code ? <span className="code"> ({code})</span> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** Where a load stands (see useLoad): its error, or that `what` is still loading; nothing once it has answered. */
export function LoadStatus({ load, what }: { load: { error: unknown; loading: boolean }; what: string }) {
  return (
    <>
      <ErrorNote error={load.error} />
      {load.loading ? <Loading what={what} /> : null}
    </>
  );
}

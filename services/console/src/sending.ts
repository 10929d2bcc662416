import { useCallback, useState } from 'react';

export interface Sending {
  /** True while a `send` runs: its button is disabled, so a second click does not send twice. */
  busy: boolean;
  /** Why the last send failed (shown with ErrorNote), or why the form was refused before sending. */
  error: unknown;
  /** Refuses the form before anything is sent, saying why. */
  refuse(reason: string): void;
  /** Runs `work` with the previous error cleared; what it throws becomes `error`. */
  send(work: () => Promise<void>): Promise<void>;
}

/** The state every form of the console keeps around one request to the API. */
export function useSending(): Sending {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const refuse = useCallback((reason: string) => setError(new Error(reason)), []);
  const send = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, refuse, send };
}

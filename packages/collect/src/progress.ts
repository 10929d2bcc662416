/** What a run reports as it goes, for a terminal, a log or a job's progress field. */
export type RunProgress =
  | { type: 'collector-started'; collector: string; kind: string; since: string; until: string }
  /** Not run: the config gives it nothing to do (`reason`, e.g. no JQL for its kind). Not in the manifest. */
  | { type: 'collector-skipped'; collector: string; kind: string; reason: string }
  | { type: 'record'; collector: string; status: 'stored' | 'duplicate'; stored: number; duplicates: number }
  | {
      type: 'collector-finished';
      collector: string;
      status: 'succeeded' | 'failed';
      stored: number;
      duplicates: number;
      error?: { code: string; message: string };
    };

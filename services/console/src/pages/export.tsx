import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { get } from '../api.js';
import { ErrorNote, Loading } from '../components/status.js';

interface ExportStatus {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'lost';
  request: { frameworks: string[]; from: string; to: string; requestedAt: string; requestedBy: string };
  progress: { phase: string; records: number; runs: number; bytes: number; elapsedMs: number } | null;
  result: {
    completedAt: string;
    bytes: number;
    sha256: string;
    fingerprint: string;
    records: number;
    runs: number;
    files: number;
    coverage: { controls: number; complete: number; gaps: number; noEvidence: number; manual: number };
    leftOut: { count: number } | null;
  } | null;
  download: { url: string } | null;
  error: { code: string; message: string; attempts: number } | null;
}

const PENDING = new Set(['queued', 'running']);

/** One export: progress while the worker builds it, then the download and how to verify it offline. */
export function ExportPage() {
  const { id = '' } = useParams();
  const [status, setStatus] = useState<ExportStatus | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await get<ExportStatus>(`/v1/exports/${encodeURIComponent(id)}`);
        if (stopped) return;
        setStatus(next);
        setError(null);
        if (PENDING.has(next.status)) timer = setTimeout(poll, 1000);
      } catch (caught) {
        if (!stopped) setError(caught);
      }
    };
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);

  const file = `crosswalk-export-${id}.zip`;
  return (
    <>
      <p className="crumbs">
        <Link to="/exports">Exports</Link> / {id}
      </p>
      <h1>Export</h1>
      <ErrorNote error={error} />
      {!status && !error ? <Loading what="the export" /> : null}
      {status ? (
        <>
          <dl className="facts">
            <dt>Frameworks</dt>
            <dd>{status.request.frameworks.join(', ')}</dd>
            <dt>Window</dt>
            <dd>
              {status.request.from} to {status.request.to} (to exclusive)
            </dd>
            <dt>Asked</dt>
            <dd>
              {status.request.requestedAt} by {status.request.requestedBy}
            </dd>
            <dt>Status</dt>
            <dd>
              <span data-testid="export-status" className="badge">
                {status.status}
              </span>
            </dd>
          </dl>
          {PENDING.has(status.status) ? (
            <div aria-live="polite">
              <label htmlFor="export-progress">
                {status.progress
                  ? `${status.progress.phase}: ${status.progress.records} records, ${status.progress.runs} runs`
                  : 'Waiting for a worker'}
              </label>{' '}
              <progress id="export-progress" />
            </div>
          ) : null}
          {status.error ? (
            <div role="alert" className="error">
              The export failed after {status.error.attempts} attempts: {status.error.message} (
              {status.error.code})
            </div>
          ) : null}
          {status.status === 'lost' ? (
            <p role="alert" className="error">
              The queue lost this export's job: ask for it again.
            </p>
          ) : null}
          {status.result && status.download ? (
            <section aria-labelledby="download-heading">
              <h2 id="download-heading">Download</h2>
              <p>
                <a className="button" href={status.download.url} download={file}>
                  Download {file} ({Math.round(status.result.bytes / 1024)} KiB)
                </a>
              </p>
              <dl className="facts">
                <dt>Records</dt>
                <dd>{status.result.records}</dd>
                <dt>Runs</dt>
                <dd>{status.result.runs}</dd>
                <dt>Controls</dt>
                <dd>
                  {status.result.coverage.controls}: {status.result.coverage.complete} complete,{' '}
                  {status.result.coverage.gaps} with gaps, {status.result.coverage.noEvidence} without
                  evidence
                </dd>
                {status.result.leftOut && status.result.leftOut.count > 0 ? (
                  <>
                    <dt>Left out</dt>
                    <dd>{status.result.leftOut.count} records no chained run vouches for</dd>
                  </>
                ) : null}
                <dt>Zip SHA-256</dt>
                <dd>
                  <code className="hash" data-testid="export-sha256">
                    {status.result.sha256}
                  </code>
                </dd>
                <dt>Signing key fingerprint</dt>
                <dd>
                  <code className="hash" data-testid="export-fingerprint">
                    {status.result.fingerprint}
                  </code>
                </dd>
              </dl>
              <h2>Verify it yourself</h2>
              <ol className="steps">
                <li>
                  Check the download is the file the server built: <code>sha256sum {file}</code> prints{' '}
                  <code className="hash">{status.result.sha256}</code>.
                </li>
                <li>
                  Confirm the fingerprint above with the organisation through another channel (a call, a
                  signed letter): it names the key that signed the bundle.
                </li>
                <li>
                  Verify offline, with no access to Crosswalk's servers:{' '}
                  <code>
                    crosswalk verify {file} --fingerprint {status.result.fingerprint}
                  </code>{' '}
                  checks every record's hash, the signature, the file list, the run chains and completeness.
                </li>
                <li>
                  Or by hand, with OpenSSL 3 and coreutils after <code>unzip {file}</code>:{' '}
                  <code>openssl pkey -pubin -in public-key.pem -outform DER | sha256sum</code> prints the
                  fingerprint above;{' '}
                  <code>
                    openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile
                    manifest.sig
                  </code>{' '}
                  checks the signature; <code>sha256sum -c SHA256SUMS</code> checks every file (README.html in
                  the bundle walks through the rest).
                </li>
              </ol>
            </section>
          ) : null}
        </>
      ) : null}
    </>
  );
}

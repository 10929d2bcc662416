import { useParams } from 'react-router';
import { get } from '../api.js';
import { Grid } from '../components/grid.js';
import { ErrorNote, LoadStatus } from '../components/status.js';
import { useLoad } from '../load.js';

interface EvidenceRecord {
  id: string;
  kind: string;
  occurredAt: string;
  collectedAt: string;
  storedAt: string;
  sha256: string;
  key: string;
  owner: { people: { name?: string; email?: string; login?: string }[]; controlOwner: string | null };
  actors: { role: string; person: { name?: string; login?: string; email?: string } }[];
  source: { system: string; instance: string; ref: string; url: string | null };
  payload: unknown;
  provenance: {
    connector: { id: string; type: string; version: string };
    collector: string;
    runId: string;
    trigger: Record<string, unknown>;
    requests: { method: string; path: string; status: number; requestId: string | null }[];
  };
}

const person = (p: { name?: string; login?: string; email?: string }) =>
  p.name ?? p.login ?? p.email ?? 'unknown';

interface ChainProof {
  connectorId: string;
  run: { runId: string; sequence: number; startedAt: string; key: string; sha256: string } | null;
  listed: { sha256: string; duplicate: boolean } | null;
  link: { sequence: number; sha256: string; claimedAt: string; previousLink: string | null } | null;
  verified: boolean;
  problems: string[];
}

/** The proof it is in the chain (GET /v1/evidence/:id/chain): the run's manifest lists it, a link claims that. */
function ChainSection({ id }: { id: string }) {
  const { data, error } = useLoad(`chain:${id}`, () =>
    get<ChainProof>(`/v1/evidence/${encodeURIComponent(id)}/chain`),
  );
  return (
    <section aria-labelledby="proof-heading">
      <h2 id="proof-heading">In the chain</h2>
      <ErrorNote error={error} />
      {data ? (
        <>
          <p>
            <span data-testid="chain-verdict" className={`badge ${data.verified ? 'ok' : 'bad'}`}>
              {data.verified ? 'in the chain' : 'not proved'}
            </span>{' '}
            {data.problems.join('; ')}
          </p>
          <dl className="facts">
            <dt>Run</dt>
            <dd>
              {data.run ? (
                <>
                  <code>{data.run.runId}</code> of {data.connectorId}, started {data.run.startedAt}
                </>
              ) : (
                'not found'
              )}
            </dd>
            <dt>Its manifest lists</dt>
            <dd>{data.listed ? <code className="hash">{data.listed.sha256}</code> : 'not this record'}</dd>
            <dt>Manifest SHA-256</dt>
            <dd>{data.run ? <code className="hash">{data.run.sha256}</code> : '–'}</dd>
            <dt>Chain link</dt>
            <dd>
              {data.link ? (
                <>
                  {data.link.sequence}, claimed {data.link.claimedAt}, holding{' '}
                  <code className="hash">{data.link.sha256}</code>
                  {data.link.previousLink ? (
                    <>
                      {' '}
                      after the link hashed <code className="hash">{data.link.previousLink}</code>
                    </>
                  ) : (
                    ' (the first link)'
                  )}
                </>
              ) : (
                'not found'
              )}
            </dd>
          </dl>
          <p className="hint">
            The whole chain, link by link: <code>crosswalk locker verify-runs {data.connectorId}</code>.
          </p>
        </>
      ) : null}
    </section>
  );
}

/**
 * One evidence record as the locker holds it (GET /v1/evidence/:id re-verifies its hash before answering): the
 * record, its SHA-256, where it came from, the requests that fetched it, and the run whose manifest vouches for it.
 */
export function EvidencePage() {
  const { id = '' } = useParams();
  const record = useLoad(id, () => get<EvidenceRecord>(`/v1/evidence/${encodeURIComponent(id)}`));
  const data = record.data;
  return (
    <>
      <h1>Evidence</h1>
      <p className="wrap">
        <code>{id}</code>
      </p>
      <LoadStatus load={record} what="the record" />
      {data ? (
        <>
          <section aria-labelledby="record-heading">
            <h2 id="record-heading">Record</h2>
            <dl className="facts">
              <dt>Kind</dt>
              <dd>{data.kind}</dd>
              <dt>Occurred</dt>
              <dd>{data.occurredAt}</dd>
              <dt>Collected</dt>
              <dd>{data.collectedAt}</dd>
              <dt>Stored</dt>
              <dd>{data.storedAt}</dd>
              <dt>SHA-256</dt>
              <dd>
                <code className="hash" data-testid="record-sha256">
                  {data.sha256}
                </code>{' '}
                (over the RFC 8785 canonical JSON of every other field; the server re-computed it on this
                read)
              </dd>
              <dt>Owner</dt>
              <dd>
                {data.owner.people.map(person).join(', ') || '–'}
                {data.owner.controlOwner ? ` (control owner: ${data.owner.controlOwner})` : ''}
              </dd>
              <dt>Actors</dt>
              <dd>{data.actors.map((a) => `${a.role}: ${person(a.person)}`).join('; ') || '–'}</dd>
              <dt>Source</dt>
              <dd>
                {data.source.system} {data.source.instance} {data.source.ref}{' '}
                {data.source.url ? (
                  <a href={data.source.url} rel="noopener noreferrer" target="_blank">
                    open in {data.source.system}
                  </a>
                ) : null}
              </dd>
            </dl>
            <h3>Payload</h3>
            {/* Focusable, so a keyboard can scroll a long payload. */}
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1) */}
            <pre className="json" tabIndex={0}>
              {JSON.stringify(data.payload, null, 2)}
            </pre>
          </section>
          <section aria-labelledby="provenance-heading">
            <h2 id="provenance-heading">Provenance</h2>
            <dl className="facts">
              <dt>Connector</dt>
              <dd>
                {data.provenance.connector.id} ({data.provenance.connector.type}{' '}
                {data.provenance.connector.version}), collector {data.provenance.collector}
              </dd>
              <dt>Trigger</dt>
              <dd>{JSON.stringify(data.provenance.trigger)}</dd>
            </dl>
            <Grid
              caption="Requests that fetched it"
              columns={['Method', 'Path', 'Status', 'Source request id']}
            >
              {data.provenance.requests.map((request, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the requests are in the order they were made
                <tr key={index}>
                  <td>{request.method}</td>
                  <td>
                    <code>{request.path}</code>
                  </td>
                  <td>{request.status}</td>
                  <td>{request.requestId ?? '–'}</td>
                </tr>
              ))}
            </Grid>
          </section>
          <ChainSection id={id} />
          <section aria-labelledby="chain-heading">
            <h2 id="chain-heading">Where it is stored</h2>
            <dl className="facts">
              <dt>Locker key</dt>
              <dd>
                <code className="wrap">{data.key}</code>
              </dd>
            </dl>
            <p>
              An export carries the run manifests, and <code>crosswalk verify</code> checks both directions
              offline: every record a bundled run lists is in the bundle with that hash, and every record in
              the bundle is listed by a bundled run.
            </p>
          </section>
        </>
      ) : null}
    </>
  );
}

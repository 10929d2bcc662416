import { type CoverageReport, compactDays } from '@crosswalk/assurance';
import { isEvidenceKind, kindDeclaration } from '@crosswalk/core';
import type { ExportManifest } from './manifest.js';

const html = (value: unknown): string =>
  String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STATUS_LABEL = {
  complete: 'complete',
  gaps: 'gaps',
  'no-evidence': 'no evidence',
  manual: 'manual',
} as const;

/**
 * README.html: what an auditor opens first. Period and membership rule, scope, counts, the coverage table
 * (manual controls listed, not hidden), the run chains, and how to verify the bundle with standard tools.
 * Self-contained: no script, no external resource. The manifest's `files` entries are not repeated here.
 */
/** `leading`: HTML placed right after the summary table (the organisation's controls, @crosswalk/assurance). */
export function renderReadme(
  manifest: Omit<ExportManifest, 'files'>,
  coverage: CoverageReport,
  leading = '',
): Buffer {
  const byKind = new Map(coverage.kinds.map((k) => [k.kind, k]));
  const evidenced = coverage.controls.filter((c) => c.status !== 'manual');
  const manual = coverage.controls.filter((c) => c.status === 'manual');
  const populationOf = new Map(
    manifest.scope.controls.map((c) => [`${c.framework}:${c.id}`, c.populations ?? []]),
  );

  const controlRows = evidenced
    .map((c) => {
      const kinds = c.kinds.map((kind) => {
        const k = byKind.get(kind)!;
        const notes: string[] = [];
        if (k.gapPeriods.length > 0) notes.push(`missing: ${compactDays(k.gapPeriods, 4)}`);
        if (k.failedRunDays.length > 0) notes.push(`runs failed: ${compactDays(k.failedRunDays, 4)}`);
        if (k.noRunDays.length > 0) notes.push(`no run: ${compactDays(k.noRunDays, 4)}`);
        if (k.beyondSourceRetentionDays.length > 0) {
          notes.push(
            `beyond the source's ${k.sourceRetentionDays ?? '?'}-day retention: ${compactDays(k.beyondSourceRetentionDays, 4)}`,
          );
        }
        return (
          `<li><code>${html(kind)}</code> (${html(k.cadence)}): ${k.found} found` +
          `${k.expected === null ? '' : ` of ${k.expected} expected`}` +
          `${notes.length > 0 ? `; ${html(notes.join('; '))}` : ''}</li>`
        );
      });
      // Links to the shared per-kind files: a kind's rows are written once, whichever criteria rest on it.
      const populations = (populationOf.get(`${c.framework}:${c.id}`) ?? [])
        .map((file) => `<a href="${html(file)}"><code>${html(file)}</code></a>`)
        .join('<br>');
      return (
        `<tr class="${c.status}"><td>${html(c.framework)}</td><td><b>${html(c.id)}</b><br>${html(c.title)}</td>` +
        `<td>${STATUS_LABEL[c.status]}</td><td>${c.found}</td><td>${c.expected ?? '&mdash;'}</td>` +
        `<td>${c.gapPeriods}</td><td>${c.failedRunDays}</td><td>${c.noRunDays}</td>` +
        `<td><ul>${kinds.join('')}</ul>${populations}</td></tr>`
      );
    })
    .join('\n');

  const manualRows = manual
    .map(
      (c) => `<tr><td>${html(c.framework)}</td><td><b>${html(c.id)}</b></td><td>${html(c.title)}</td></tr>`,
    )
    .join('\n');

  const kindRows = manifest.scope.kinds
    .map((kind) => {
      const title = isEvidenceKind(kind) ? kindDeclaration(kind).title : '';
      // Coverage counts current answers; the bundle also holds the answers they replaced.
      const items = manifest.counts.byKind[kind] ?? 0;
      const current = byKind.get(kind as never)?.found ?? items;
      const shown =
        current === items ? `${items}` : `${items} (${current} current, ${items - current} superseded)`;
      return `<tr><td><code>${html(kind)}</code></td><td>${html(title)}</td><td>${shown}</td><td>${html(byKind.get(kind as never)?.connectors.join(', ') || 'none')}</td></tr>`;
    })
    .join('\n');

  const chainRows = manifest.runChains
    .map((chain) => {
      const w = chain.window;
      const problems = [
        ...chain.lockerCheck.problems.map((p) => p.message),
        ...(w.missing.length > 0 ? [`sequences missing from the bundle: ${w.missing.join(', ')}`] : []),
      ];
      return (
        `<tr><td><code>${html(chain.connectorId)}</code></td><td>${w.runs}</td>` +
        `<td>${w.first === null ? '&mdash;' : `${w.first}..${w.last}`}</td>` +
        `<td>${chain.head ? chain.head.sequence : '&mdash;'}</td>` +
        `<td>${problems.length === 0 ? 'intact' : `<b>broken</b>: ${html(problems.join('; '))}`}</td></tr>`
      );
    })
    .join('\n');

  const unvouched = manifest.completeness?.unvouched;
  const completeness = !manifest.completeness
    ? 'not stated'
    : `${manifest.completeness.vouched} records of the period are vouched for by chained run manifests, all in this bundle. ${html(manifest.completeness.rule)}` +
      (unvouched && unvouched.count > 0
        ? `<br><b>${unvouched.count} record${unvouched.count === 1 ? '' : 's'} in the locker for this period ${unvouched.count === 1 ? 'is' : 'are'} vouched for by no chained run and ${unvouched.count === 1 ? 'was' : 'were'} left out</b> (a run still in progress, a run that died before its manifest and was not recovered yet, or a record that did not come from a collection); <code>crosswalk verify</code> fails on ${unvouched.count === 1 ? 'it' : 'them'}:<ul>${unvouched.records.map((r) => `<li><code>${html(r.id)}</code></li>`).join('')}${unvouched.count > unvouched.records.length ? `<li>and ${unvouched.count - unvouched.records.length} more</li>` : ''}</ul>`
        : '');

  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Crosswalk evidence export ${html(manifest.period.from.slice(0, 10))} to ${html(manifest.period.to.slice(0, 10))}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #1a1a1a; }
table { border-collapse: collapse; margin: 1em 0; width: 100%; }
th, td { border: 1px solid #ccc; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
tr.gaps td:nth-child(3), tr.no-evidence td:nth-child(3) { color: #a40000; font-weight: bold; }
tr.complete td:nth-child(3) { color: #176b00; }
code, pre { font: 12px ui-monospace, monospace; }
pre { background: #f6f6f6; padding: .8em; overflow-x: auto; }
ul { margin: 0; padding-left: 1.2em; }
</style>
</head>
<body>
<h1>Crosswalk evidence export</h1>
<table>
<tr><th>Period</th><td><b>${html(manifest.period.from)}</b> (inclusive) to <b>${html(manifest.period.to)}</b> (exclusive), UTC.<br>${html(manifest.period.membership)}</td></tr>
<tr><th>Frameworks</th><td>${manifest.scope.frameworks.map(html).join(', ')}</td></tr>
<tr><th>Controls</th><td>${manifest.scope.requestedControls ? manifest.scope.requestedControls.map(html).join(', ') : 'all controls of the frameworks'} (${manifest.scope.controls.length} in scope)</td></tr>
<tr><th>Records</th><td>${manifest.counts.records} evidence items, ${manifest.counts.runs} run manifests</td></tr>
<tr><th>Completeness</th><td>${completeness}</td></tr>
<tr><th>Mapping</th><td><code>${html(manifest.mappingVersion)}</code>${manifest.counts.recordsUnderOtherMappings > 0 ? ` (${manifest.counts.recordsUnderOtherMappings} records were collected under another mapping version: see their <code>recordMappingVersion</code> column)` : ''}</td></tr>
<tr><th>Generated</th><td>${html(manifest.generatedAt)} by ${html(manifest.generator.name)} ${html(manifest.generator.version)}; export ${html(manifest.exportId)}</td></tr>
<tr><th>Signing key</th><td>Ed25519, fingerprint (SHA-256 of the DER public key):<br><code>${html(manifest.publicKey.fingerprint)}</code><br>Compare it with the fingerprint the organization gave you through another channel.</td></tr>
</table>
${leading}
<h2>Coverage</h2>
<p>${coverage.summary.complete} complete, ${coverage.summary.gaps} with gaps, ${coverage.summary.noEvidence} without evidence, ${coverage.summary.manual} manual, of ${coverage.summary.controls} controls; evaluated up to ${html(coverage.evaluatedUntil)}.
Daily kinds are expected once per UTC day and quarterly kinds once per calendar quarter, for periods wholly inside the window; event kinds have no expected count.
A day counts against a kind when no collector of that kind ran successfully that day (from the run manifests). Per-period detail is in <code>coverage.csv</code>.</p>
<table>
<tr><th>Framework</th><th>Control</th><th>Status</th><th>Found</th><th>Expected</th><th>Gap periods</th><th>Days runs failed</th><th>Days without run</th><th>Evidence kinds and population</th></tr>
${controlRows}
</table>

<h3>Manual controls</h3>
<p>No connector can evidence these: they rest on documents, meetings and records outside Crosswalk (for example management review, internal audit, the risk process). They are listed so that nothing in scope is silently left out.</p>
<table>
<tr><th>Framework</th><th>Control</th><th>Title</th></tr>
${manualRows || '<tr><td colspan="3">none</td></tr>'}
</table>

<h2>Evidence kinds</h2>
<table>
<tr><th>Kind</th><th>What</th><th>Items</th><th>Collected by</th></tr>
${kindRows || '<tr><td colspan="4">none</td></tr>'}
</table>

<h2>Run chains</h2>
<p>Every collection run writes a manifest that names the previous run's manifest and hash. The bundle holds the runs of the period under <code>runs/</code>; <code>crosswalk verify</code> checks that they follow each other without a gap.</p>
<table>
<tr><th>Connector</th><th>Runs in bundle</th><th>Sequences</th><th>Head at export</th><th>Chain</th></tr>
${chainRows || '<tr><td colspan="5">no connector has run</td></tr>'}
</table>

<h2>Files</h2>
<ul>
<li><code>populations.csv</code>: every item, one row each: id, kind, occurredAt, collectedAt, owner, controlOwner, source, sourceRef, url, soc2, iso, sha256 (the record's own hash), path, fileSha256, fileBytes, recordMappingVersion, current, supersedes, supersededBy, currentId. Some kinds (derived deprovisioning timeliness) record a new answer each time what is known changes, naming the one it replaces: <code>current</code> is <code>yes</code> for the answer that stands as of the export and <code>no</code> for one replaced (kept for history), <code>supersededBy</code> names what replaced it (possibly a record that occurred after the period) and <code>currentId</code> the answer that stands. Found counts above count current answers.</li>
<li><code>populations/&lt;kind&gt;.csv</code>: the current answers of one kind (same columns), written once however many controls rest on the kind. A control's population, to sample from, is the rows of the files of its kinds (linked in the table above).</li>
<li><code>controls/&lt;framework&gt;/&lt;control&gt;/index.csv</code>: which of those files a control's population is made of (kind, file, rows); none for manual controls.</li>
<li><code>evidence/&lt;kind&gt;/&lt;yyyy-mm-dd&gt;/&lt;id&gt;.json</code>: each item exactly as stored (RFC 8785 canonical JSON).</li>
<li><code>runs/&lt;connector&gt;/&lt;yyyy-mm-dd&gt;/&lt;startedAt&gt;-&lt;runId&gt;.json</code>: the run manifests.</li>
<li><code>coverage.csv</code>, <code>manifest.json</code>, <code>manifest.sig</code>, <code>public-key.pem</code>, <code>SHA256SUMS</code>.</li>
</ul>

<h2>How to verify</h2>
<p>With Crosswalk: <code>crosswalk verify bundle.zip --fingerprint ${html(manifest.publicKey.fingerprint)}</code>. With standard tools only (OpenSSL 3, coreutils, unzip), in an empty directory:</p>
<pre>
unzip -q bundle.zip
# 1. The public key is the one you expect (compare with the fingerprint you were given):
openssl pkey -pubin -in public-key.pem -outform DER | sha256sum
# 2. manifest.json is signed by that key:
openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig
# 3. Every file the manifest lists (SHA256SUMS among them) has its hash:
sed -n 's/^ *{"path":"\\([^"]*\\)","sha256":"\\([0-9a-f]*\\)".*/\\2  \\1/p' manifest.json | sha256sum -c --quiet -
# 4. Every other file has the hash SHA256SUMS gives it:
sha256sum -c --quiet SHA256SUMS
# 5. No file is missing or extra:
(cut -c67- SHA256SUMS; printf '%s\\n' SHA256SUMS manifest.json manifest.sig) | sort &gt; expected.txt
unzip -Z1 bundle.zip | sort | diff expected.txt - &amp;&amp; echo "no file missing or extra"
</pre>
<p>Steps 1-5 prove the files are exactly what the key holder signed. The run-chain continuity and each record's own hash are checked by <code>crosswalk verify</code> (the format is documented in Crosswalk's <code>docs/export-format.md</code>).</p>
</body>
</html>
`;
  return Buffer.from(page, 'utf8');
}

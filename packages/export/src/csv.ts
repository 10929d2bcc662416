/**
 * CSV as RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds a comma, quote, CR or LF
 * (quotes doubled). A field that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR)
 * gets a leading apostrophe, as OWASP advises for CSV meant to be opened in Excel; the evidence JSON keeps the
 * exact value. No field Crosswalk writes itself (ids, timestamps, hashes, paths) starts that way.
 */
export function csvLine(fields: readonly (string | number | null | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * An incremental CSV parser (as csvLine writes): feed text as it streams, get the rows completed so far.
 * The verifier reads populations.csv through it, so a large population is never one string in memory.
 */
export class CsvParser {
  private field = '';
  private row: string[] = [];
  private quoted = false;
  /** A quote seen at the end of a chunk: the next chunk decides whether it was an escaped quote. */
  private pendingQuote = false;
  private pendingCr = false;

  push(text: string): string[][] {
    const rows: string[][] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === '\n') continue;
      }
      if (this.pendingQuote) {
        this.pendingQuote = false;
        if (c === '"') {
          this.field += '"';
          continue;
        }
        this.quoted = false;
      }
      if (this.quoted) {
        if (c === '"') this.pendingQuote = true;
        else this.field += c;
        continue;
      }
      if (c === '"') {
        this.quoted = true;
      } else if (c === ',') {
        this.row.push(this.field);
        this.field = '';
      } else if (c === '\n' || c === '\r') {
        if (c === '\r') this.pendingCr = true;
        this.row.push(this.field);
        rows.push(this.row);
        this.row = [];
        this.field = '';
      } else {
        this.field += c;
      }
    }
    return rows;
  }

  /** The last row when the text did not end with a line break. */
  end(): string[][] {
    if (this.pendingQuote) {
      this.pendingQuote = false;
      this.quoted = false;
    }
    if (this.field === '' && this.row.length === 0) return [];
    this.row.push(this.field);
    const last = this.row;
    this.row = [];
    this.field = '';
    return [last];
  }
}

/** Parses a whole CSV document. */
export function parseCsv(text: string): string[][] {
  const parser = new CsvParser();
  return [...parser.push(text), ...parser.end()];
}

/**
 * CSV as the export bundle writes it (RFC 4180, CRLF, formula-looking fields prefixed with an apostrophe, as
 * OWASP advises for CSV opened in a spreadsheet). The same rule as @crosswalk/export's csvLine, kept here because
 * control testing sits below the export package.
 */
export function csvLine(fields: readonly (string | number | boolean | null | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvText(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | null)[])[],
): string {
  return csvLine(header) + rows.map((row) => csvLine(row)).join('');
}

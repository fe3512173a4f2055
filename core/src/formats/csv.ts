/**
 * RFC 4180 CSV: comma separated, fields optionally in double quotes ("" inside quotes is a quote),
 * CRLF or LF line ends, quoted fields may span lines. A leading UTF-8 BOM is dropped.
 * Returns rows with the 1-based line on which each row starts, or an error with its line.
 * O(n) in the text length.
 */
export function parseCsv(
  text: string,
):
  | { ok: true; rows: { line: number; cells: string[] }[] }
  | { ok: false; line: number; message: string; reason: 'text-after-quote' | 'quote-in-field' | 'unclosed-quote' } {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: { line: number; cells: string[] }[] = [];
  let line = 1;
  let rowLine = 1;
  let cells: string[] = [];
  let cell = '';
  let i = 0;
  let inQuotes = false;
  let quotedCell = false;
  const endCell = () => {
    cells.push(cell);
    cell = '';
    quotedCell = false;
  };
  const endRow = () => {
    endCell();
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells });
    cells = [];
  };
  while (i < s.length) {
    const c = s[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        const n = s[i];
        if (n !== undefined && n !== ',' && n !== '\n' && n !== '\r')
          return { ok: false, line, message: 'text after a closing quote', reason: 'text-after-quote' };
        continue;
      }
      if (c === '\n') line++;
      cell += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (cell !== '' || quotedCell) return { ok: false, line, message: 'a quote inside an unquoted field', reason: 'quote-in-field' };
      inQuotes = true;
      quotedCell = true;
      i++;
    } else if (c === ',') {
      endCell();
      i++;
    } else if (c === '\r' || c === '\n') {
      endRow();
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      line++;
      rowLine = line;
    } else {
      cell += c;
      i++;
    }
  }
  if (inQuotes) return { ok: false, line: rowLine, message: 'a quoted field is not closed', reason: 'unclosed-quote' };
  if (cell !== '' || cells.length > 0 || quotedCell) endRow();
  return { ok: true, rows };
}

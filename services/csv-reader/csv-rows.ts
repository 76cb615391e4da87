/**
 * CSV text → rows of fields with the line each row starts on (papaparse in arrays mode). Line numbers: row i
 * starts one line after row i-1 plus the newlines inside row i-1's quoted fields (counted only when the text has
 * more newlines than rows). Empty lines are skipped but counted. A row papaparse cannot close (an unclosed quote
 * swallows the rest) is a broken row: reported with its line, and parsing resumes on the next line.
 */
import Papa from 'papaparse';
import { type InvalidRecord, rawExcerpt } from '../../sdk';

export interface CsvSyntax {
  delimiter: string;
  quote: string;
  escape: string;
}

export interface CsvRows {
  /** The rows, empty lines left out. */
  rows: string[][];
  /** The 1-based line where row `index` starts. */
  lineOf(index: number): number;
  /** Rows that could not be parsed (quotes), with their line. */
  broken: InvalidRecord[];
  /** The original text of row `index` (its lines as in the content). */
  raw(index: number): string;
}

function newlineCount(text: string, from = 0, to = text.length): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function isEmptyLine(row: readonly string[]): boolean {
  return row.length === 1 && row[0] === '';
}

function onlyLastEmpty(data: readonly string[][]): boolean {
  for (let i = 0; i < data.length - 1; i++) if (isEmptyLine(data[i]!)) return false;
  return true;
}

/** Offsets where each line of `text` starts (built only when raw text is asked for). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function parseCsvRows(text: string, syntax: CsvSyntax): CsvRows {
  const rows: string[][] = [];
  const lines: number[] = [];
  const broken: InvalidRecord[] = [];
  let starts: number[] | undefined;
  const lineText = (first: number, count: number) => {
    starts ??= lineStarts(text);
    const from = starts[first - 1] ?? text.length;
    const to = starts[first - 1 + count] ?? text.length + 1;
    return text.slice(from, to - 1).replace(/\r$/, '');
  };
  let offset = 0;
  let line = 1;
  while (offset < text.length) {
    const chunk = offset === 0 ? text : text.slice(offset);
    const parsed = Papa.parse<string[]>(chunk, {
      header: false,
      skipEmptyLines: false,
      delimiter: syntax.delimiter,
      quoteChar: syntax.quote,
      escapeChar: syntax.escape,
    });
    const data = parsed.data;
    const badRows = new Map<number, string>();
    let stopAt = -1;
    for (const e of parsed.errors) {
      if (e.type !== 'Quotes' || e.row === undefined) continue;
      if (!badRows.has(e.row)) badRows.set(e.row, e.message);
      if (e.code === 'MissingQuotes' && (stopAt === -1 || e.row < stopAt)) stopAt = e.row;
    }
    const end = stopAt === -1 ? data.length : stopAt;
    // Without newlines inside fields (the common case) row i of this chunk starts on line `line + i`.
    const plain = stopAt === -1 && badRows.size === 0 && newlineCount(chunk) <= data.length - 1;
    if (plain && offset === 0 && onlyLastEmpty(data)) {
      // The whole content in one go, no empty line but the last: papaparse's rows are the rows (no copy).
      if (data.length > 0 && isEmptyLine(data[data.length - 1]!)) data.pop();
      return { rows: data, lineOf: (index) => index + 1, broken, raw: (index) => lineText(index + 1, 1) };
    }
    for (let i = 0; i < end; i++) {
      const row = data[i]!;
      const rowLine = line;
      let span = 1;
      if (!plain) for (const field of row) if (field.includes('\n')) span += newlineCount(field);
      line += span;
      if (isEmptyLine(row)) continue;
      const problem = badRows.get(i);
      if (problem !== undefined) {
        broken.push({
          line: rowLine,
          reason: `${problem} (quote ${syntax.quote})`,
          raw: rawExcerpt(lineText(rowLine, span)),
        });
        continue;
      }
      rows.push(row);
      lines.push(rowLine);
    }
    if (stopAt === -1) break;
    // The unclosed row: report its first line, read on from the next one.
    broken.push({
      line,
      reason: `${badRows.get(stopAt)} (quote ${syntax.quote} opened on this line is never closed)`,
      raw: rawExcerpt(lineText(line, 1)),
    });
    starts ??= lineStarts(text);
    offset = starts[line] ?? text.length;
    line++;
  }
  return {
    rows,
    lineOf: (index) => lines[index]!,
    broken,
    raw: (index) => {
      const row = rows[index]!;
      let span = 1;
      for (const field of row) if (field.includes('\n')) span += newlineCount(field);
      return lineText(lines[index]!, span);
    },
  };
}

/**
 * The partition CSV as lines and fields with their positions, read the way ESP-IDF's
 * `gen_esp32part.py` reads it: a line is split on every comma (no quoting), each field is trimmed,
 * blank lines and lines starting with `#` are skipped, and missing trailing fields are empty. Every
 * field keeps its 1-based line and column so that each error can point at it.
 */
import { EspsyncError } from "../errors.js";

/** A place in the CSV, 1-based (columns count characters). */
export interface CsvPosition {
  readonly line: number;
  readonly column: number;
}

/** One field: its trimmed text and where it starts (where it would be, when empty). */
export interface CsvField extends CsvPosition {
  readonly text: string;
}

/** One partition line: name, type, subtype, offset, size, flags (always six; extra fields are ignored, as there). */
export interface CsvRow {
  readonly line: number;
  readonly fields: readonly [CsvField, CsvField, CsvField, CsvField, CsvField, CsvField];
}

/**
 * Python's `str.splitlines()` breaks, so line numbers agree with gen_esp32part.py's (its file
 * separators 0x1C-0x1E included, hence the control characters).
 */
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Characters (code points) in `text`: columns count what an editor shows, not UTF-16 units. */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Splits one raw line into its six fields with columns. */
function splitFields(raw: string, line: number): CsvRow["fields"] {
  const fields: CsvField[] = [];
  let start = 0;
  for (const piece of raw.split(",")) {
    const text = piece.trim();
    const lead = piece.length - piece.trimStart().length;
    // An empty field points just after its comma: where the value belongs.
    const column = width(raw.slice(0, text === "" ? start : start + lead)) + 1;
    fields.push({ line, column, text });
    start += piece.length + 1;
  }
  const end = width(raw.trimEnd()) + 1;
  while (fields.length < 6) fields.push({ line, column: end, text: "" });
  return fields.slice(0, 6) as unknown as CsvRow["fields"];
}

/** The partition lines of a CSV text (a leading byte order mark is dropped). */
export function tokenizePartitionCsv(text: string): CsvRow[] {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const rows: CsvRow[] = [];
  body.split(LINE_BREAK).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    rows.push({ line: index + 1, fields: splitFields(raw, index + 1) });
  });
  return rows;
}

/**
 * The error for a problem in a partition CSV: code `PARTITION_TABLE_INVALID`, message
 * `file:line:column: what`, and a hint.
 */
export function csvError(file: string, at: CsvPosition, message: string, hint: string): EspsyncError {
  return new EspsyncError("PARTITION_TABLE_INVALID", `${file}:${at.line}:${at.column}: ${message}`, { hint });
}

/**
 * The values of one partition CSV line: name, type and subtype (by name or number), offset and size
 * (decimal, `0x` hex, with `K`/`M` multipliers), flags — with gen_esp32part.py's rules for what may be
 * left empty and what the tool fills in itself (the primary bootloader and partition table entries).
 */
import {
  APP_PARTITION_TYPE,
  BOOTLOADER_PARTITION_TYPE,
  CSV_FLAG_BITS,
  CSV_SUBTYPE_NAMES,
  CSV_TYPE_NAMES,
  DATA_SUBTYPE_UNDEFINED,
  TABLE_PARTITION_TYPE,
  csvTypeName,
} from "./partition-csv-keywords.js";
import { csvError, type CsvField, type CsvPosition, type CsvRow } from "./partition-csv-tokens.js";

/** Bytes the partition table occupies on flash (one sector); the first partition starts after it. */
export const PARTITION_TABLE_SECTOR_BYTES = 0x1000;
/** Label bytes in an entry; a label of exactly 16 bytes has no terminating NUL. */
export const PARTITION_LABEL_MAX_BYTES = 16;
/** Largest type or subtype number a CSV may give (0xFF is left out, as ESP-IDF documents). */
const MAX_TYPE_NUMBER = 0xfe;
const NUMBER_HINT = "Write numbers as decimal (65536), hex (0x10000) or with a K/M multiplier (64K, 1M)";

/** What the CSV is compiled for: where the table and the bootloaders sit. */
export interface CsvContext {
  /** File name for messages. */
  readonly file: string;
  /** Flash offset of the partition table. */
  readonly tableOffset: number;
  /** Flash offset of the primary bootloader (needed only by `bootloader` entries). */
  readonly bootloaderOffset?: number | undefined;
  /** Flash offset of the recovery bootloader (needed only by `bootloader, recovery` entries). */
  readonly recoveryBootloaderOffset?: number | undefined;
}

/** One partition line with its values resolved; the offset is still open when the field was empty. */
export interface CsvPartition {
  readonly line: number;
  readonly name: string;
  readonly type: number;
  readonly subtype: number;
  /** Undefined: placed after the previous partition. */
  readonly offset: number | undefined;
  /** Negative: "up to this absolute offset" (the size becomes `-size - offset`). */
  readonly size: number;
  readonly flags: number;
  /** The primary bootloader or primary table: placed by the tool, outside the offset sequence. */
  readonly placedByTool: boolean;
  /** Where each field starts, for messages. */
  readonly at: { readonly [K in "name" | "type" | "subtype" | "offset" | "size" | "flags"]: CsvPosition };
}

/**
 * Python's `int(text, 0)`: optional sign, `0x`/`0o`/`0b` prefixes, decimal without leading zeros,
 * single underscores between digits. Undefined when it is not such a number.
 */
export function parsePythonInt(text: string): number | undefined {
  const m = /^([+-]?)(?:0[xX]((?:_?[0-9a-fA-F])+)|0[oO]((?:_?[0-7])+)|0[bB]((?:_?[01])+)|([1-9](?:_?[0-9])*|0(?:_?0)*))$/.exec(text);
  if (m === null) return undefined;
  const [, sign, hexDigits, octDigits, binDigits, decDigits] = m;
  const digits = (hexDigits ?? octDigits ?? binDigits ?? decDigits ?? "").replace(/_/g, "");
  const radix = hexDigits !== undefined ? 16 : octDigits !== undefined ? 8 : binDigits !== undefined ? 2 : 10;
  const value = Number.parseInt(digits, radix);
  return sign === "-" ? -value : value;
}

/**
 * gen_esp32part.py's `parse_int`: a trailing `k`/`m` multiplies what precedes it by 1024 or 1024²,
 * then a number, then (case-insensitively) a keyword. Undefined when none of these fits.
 */
function resolveValue(text: string, keywords: Readonly<Record<string, number>> | undefined): number | undefined {
  const lower = text.toLowerCase();
  if (lower.endsWith("k") || lower.endsWith("m")) {
    const inner = resolveValue(text.slice(0, -1), keywords);
    return inner === undefined ? undefined : inner * (lower.endsWith("k") ? 1024 : 1024 * 1024);
  }
  const number = parsePythonInt(text);
  if (number !== undefined) return number;
  return keywords !== undefined && Object.hasOwn(keywords, lower) ? keywords[lower] : undefined;
}

/** ESP-IDF expands `$NAME` from the environment; a pure compiler cannot, so it refuses rather than guess. */
function refuseVariables(field: CsvField, ctx: CsvContext): void {
  const m = /\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/.exec(field.text);
  if (m === null) return;
  throw csvError(ctx.file, { line: field.line, column: field.column + [...field.text.slice(0, m.index)].length }, `"${m[0]}" is an environment variable, which espsync does not expand`, "Write its value into the CSV (gen_esp32part.py reads it from the environment of the build)");
}

function parseName(field: CsvField, ctx: CsvContext): string {
  const bytes = Buffer.byteLength(field.text, "utf8");
  if (bytes > PARTITION_LABEL_MAX_BYTES) {
    throw csvError(ctx.file, field, `partition name "${field.text}" is ${bytes} bytes long; a partition table entry holds at most ${PARTITION_LABEL_MAX_BYTES}`, "Shorten the name (gen_esp32part.py would cut it, and the app would then not find the partition by its full name)");
  }
  return field.text;
}

function parseType(field: CsvField, ctx: CsvContext): number {
  const names = Object.keys(CSV_TYPE_NAMES).join(", ");
  if (field.text === "") throw csvError(ctx.file, field, "the partition type is missing", `Give ${names}, or a number 0x40-0xFE for a custom type`);
  const value = resolveValue(field.text, CSV_TYPE_NAMES);
  if (value === undefined) throw csvError(ctx.file, field, `unknown partition type "${field.text}"`, `Use ${names}, or a number 0x40-0xFE for a custom type`);
  if (!Number.isInteger(value) || value < 0 || value > MAX_TYPE_NUMBER) throw csvError(ctx.file, field, `partition type ${field.text} is outside 0x00-0xFE`, "Custom types are 0x40-0xFE");
  return value;
}

function parseSubtype(field: CsvField, type: number, ctx: CsvContext): number {
  const keywords = CSV_SUBTYPE_NAMES[type];
  // ota_0 … ota_15 read better as a range than as sixteen names.
  const names = Object.keys(keywords ?? {}).filter((n) => !/^ota_(?:[1-9]|1[0-5])$/.test(n)).map((n) => (n === "ota_0" ? "ota_0 … ota_15" : n));
  const known = names.length === 0 ? "" : `${names.join(", ")}, or `;
  if (field.text === "") {
    if (type === APP_PARTITION_TYPE) throw csvError(ctx.file, field, "an app partition needs a subtype", `Use ${known}a number`);
    return DATA_SUBTYPE_UNDEFINED;
  }
  const value = resolveValue(field.text, keywords);
  if (value === undefined) {
    const what = keywords === undefined ? `subtype "${field.text}" is not a number (type ${csvTypeName(type)} has no named subtypes)` : `unknown subtype "${field.text}" for type ${csvTypeName(type)}`;
    throw csvError(ctx.file, field, what, `Use ${known}a number 0x00-0xFE`);
  }
  if (!Number.isInteger(value) || value < 0 || value > MAX_TYPE_NUMBER) throw csvError(ctx.file, field, `subtype ${field.text} is outside 0x00-0xFE`, `Use ${known}a number 0x00-0xFE`);
  return value;
}

function parseNumber(field: CsvField, what: "offset" | "size", ctx: CsvContext): number {
  const value = resolveValue(field.text, undefined);
  if (value === undefined) throw csvError(ctx.file, field, `${what} "${field.text}" is not a number`, NUMBER_HINT);
  if (Math.abs(value) > 0xffffffff) throw csvError(ctx.file, field, `${what} ${field.text} does not fit in 32 bits`, "Flash addresses and sizes are below 4 GiB");
  if (what === "offset" && value < 0) throw csvError(ctx.file, field, `offset ${field.text} is negative`, "Give a flash address, or leave the offset empty to place the partition after the previous one");
  return value;
}

/** The offset gen_esp32part.py fills in itself (primary/recovery bootloader, primary table), else the field's. */
function parseOffset(field: CsvField, type: number, subtype: number, ctx: CsvContext): { offset: number | undefined; placedByTool: boolean } {
  const names = (t: number): Readonly<Record<string, number>> => CSV_SUBTYPE_NAMES[t] ?? {};
  if (type === BOOTLOADER_PARTITION_TYPE && subtype === names(type)["primary"]) return { offset: requireBootloader(field, ctx), placedByTool: true };
  if (type === BOOTLOADER_PARTITION_TYPE && subtype === names(type)["recovery"]) {
    if (ctx.recoveryBootloaderOffset === undefined) throw csvError(ctx.file, field, "a recovery bootloader partition needs the recovery bootloader offset, which is not known here", "Remove the line, or compile the table for a chip and configuration that has a recovery bootloader");
    return { offset: ctx.recoveryBootloaderOffset, placedByTool: false };
  }
  if (type === TABLE_PARTITION_TYPE && subtype === names(type)["primary"]) return { offset: ctx.tableOffset, placedByTool: true };
  return { offset: field.text === "" ? undefined : parseNumber(field, "offset", ctx), placedByTool: false };
}

function requireBootloader(field: CsvField, ctx: CsvContext): number {
  if (ctx.bootloaderOffset === undefined) throw csvError(ctx.file, field, "a bootloader partition needs the bootloader offset, which depends on the chip", "Name the chip (--chip), or remove the bootloader line");
  return ctx.bootloaderOffset;
}

function parseSize(field: CsvField, type: number, ctx: CsvContext): number {
  // The bootloader fills the space up to the table and the table one sector, whatever the field says.
  if (type === BOOTLOADER_PARTITION_TYPE) return ctx.tableOffset - requireBootloader(field, ctx);
  if (type === TABLE_PARTITION_TYPE) return PARTITION_TABLE_SECTOR_BYTES;
  if (field.text === "") throw csvError(ctx.file, field, "the partition size is missing", "Give a size such as 0x6000, 24K or 1M");
  const size = parseNumber(field, "size", ctx);
  if (size === 0) throw csvError(ctx.file, field, "the partition size is 0", "Give the partition a size, or remove the line");
  return size;
}

function parseFlags(field: CsvField, ctx: CsvContext): number {
  let flags = 0;
  let offset = 0;
  // Flags are separated by colons and, as in gen_esp32part.py, not trimmed one by one.
  for (const flag of field.text.split(":")) {
    if (Object.hasOwn(CSV_FLAG_BITS, flag)) flags |= 1 << (CSV_FLAG_BITS[flag] as number);
    else if (flag !== "") {
      throw csvError(ctx.file, { line: field.line, column: field.column + [...field.text.slice(0, offset)].length }, `unknown flag "${flag}"`, `Use ${Object.keys(CSV_FLAG_BITS).join(", ")}, or both as encrypted:readonly (no spaces)`);
    }
    offset += flag.length + 1;
  }
  return flags;
}

/** Resolves one partition line. Throws `PARTITION_TABLE_INVALID` at the first bad field, in field order. */
export function parsePartitionRow(row: CsvRow, ctx: CsvContext): CsvPartition {
  for (const field of row.fields) refuseVariables(field, ctx);
  const [nameField, typeField, subtypeField, offsetField, sizeField, flagsField] = row.fields;
  const name = parseName(nameField, ctx);
  const type = parseType(typeField, ctx);
  const subtype = parseSubtype(subtypeField, type, ctx);
  const { offset, placedByTool } = parseOffset(offsetField, type, subtype, ctx);
  const size = parseSize(sizeField, type, ctx);
  const flags = parseFlags(flagsField, ctx);
  const at = { name: nameField, type: typeField, subtype: subtypeField, offset: offsetField, size: sizeField, flags: flagsField };
  return { line: row.line, name, type, subtype, offset, size, flags, placedByTool, at };
}

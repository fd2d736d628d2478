/**
 * Where each partition of a CSV goes, and the checks gen_esp32part.py makes before it writes a table:
 * empty offsets follow the previous partition (apps rounded up to 64 KiB, everything else to 4 KiB),
 * starting after the table's sector; then alignment, app sizes, read-only rules, NVS size, unique
 * names, overlaps, a single OTA data partition of 0x2000 bytes, and the entry limit. Each error
 * points at the line and field it is about.
 */
import { hex32 } from "../errors.js";
import { type CsvContext, type CsvPartition, PARTITION_TABLE_SECTOR_BYTES } from "./partition-csv-fields.js";
import {
  APP_PARTITION_TYPE,
  DATA_PARTITION_TYPE,
  DATA_SUBTYPE_COREDUMP,
  DATA_SUBTYPE_NVS,
  DATA_SUBTYPE_OTA,
  DATA_SUBTYPE_TEE_OTA,
  csvTypeName,
} from "./partition-csv-keywords.js";
import { csvError } from "./partition-csv-tokens.js";
import { MAX_PARTITION_ENTRIES } from "./partition-table-encode.js";

/** A partition with its final offset and size. */
export interface PlacedPartition extends CsvPartition {
  readonly offset: number;
  readonly sizeBytes: number;
}

/** Options of {@link checkPlacedPartitions}. */
export interface LayoutCheckOptions {
  /** When given, every partition must end inside this flash size. */
  readonly flashSizeBytes?: number | undefined;
}

const APP_OFFSET_ALIGN = 0x10000;
const OTHER_OFFSET_ALIGN = 0x1000;
/** App partitions are whole flash sectors (gen_esp32part.py without secure boot). */
const APP_SIZE_ALIGN = 0x1000;
/** Read/write NVS needs at least three pages (ESP-IDF's NVS_RW_MIN_PARTITION_SIZE). */
const NVS_RW_MIN_BYTES = 0x3000;
/** OTA data (and TEE OTA data) is two sectors. */
const OTA_DATA_BYTES = 0x2000;
const READONLY_FLAG = 1 << 1;

/** Offset alignment of a partition type: 64 KiB for apps, 4 KiB for everything else. */
export function partitionOffsetAlign(type: number): number {
  return type === APP_PARTITION_TYPE ? APP_OFFSET_ALIGN : OTHER_OFFSET_ALIGN;
}

const hex = (n: number): string => (n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);

/**
 * Fills in empty offsets and "up to" sizes, in file order. An explicit offset before the end of the
 * previous partition (or of the table) is refused here, as gen_esp32part.py does: partitions with
 * explicit offsets must be listed in flash order.
 */
export function placePartitions(parts: readonly CsvPartition[], ctx: CsvContext): PlacedPartition[] {
  let lastEnd = ctx.tableOffset + PARTITION_TABLE_SECTOR_BYTES;
  let lastLine: number | undefined;
  return parts.map((p): PlacedPartition => {
    if (p.placedByTool) return { ...p, offset: p.offset as number, sizeBytes: p.size };
    if (p.offset !== undefined && p.offset < lastEnd) {
      const what = lastLine === undefined ? `the partition table (${hex32(ctx.tableOffset)}..${hex32(lastEnd)})` : `the partition on line ${lastLine}, which ends at ${hex32(lastEnd)}`;
      throw csvError(ctx.file, p.at.offset, `offset ${hex32(p.offset)} overlaps ${what}`, `Use ${hex(lastEnd)} or higher, or leave the offset empty to place the partition after the previous one (partitions are listed in flash order)`);
    }
    const align = partitionOffsetAlign(p.type);
    const offset = p.offset ?? Math.ceil(lastEnd / align) * align;
    const sizeBytes = p.size < 0 ? -p.size - offset : p.size;
    if (sizeBytes <= 0) {
      throw csvError(ctx.file, p.at.size, `size ${hex(p.size)} means "up to ${hex32(-p.size)}", which is not after the partition's offset ${hex32(offset)}`, "A negative size names the end address of the partition; give one past its offset, or a positive size");
    }
    if (offset + sizeBytes > 0x100000000) throw csvError(ctx.file, p.at.size, `the partition at ${hex32(offset)} of ${hex(sizeBytes)} bytes ends past 4 GiB`, "Check the offset and the size");
    lastEnd = offset + sizeBytes;
    lastLine = p.line;
    return { ...p, offset, sizeBytes };
  });
}

/** Alignment, app size, read-only and NVS rules of one partition. */
function checkOne(p: PlacedPartition, ctx: CsvContext): void {
  const align = partitionOffsetAlign(p.type);
  if (p.offset % align !== 0) {
    throw csvError(ctx.file, p.at.offset, `offset ${hex32(p.offset)} of ${csvTypeName(p.type)} partition "${p.name}" is not a multiple of ${hex(align)}`, `${csvTypeName(p.type) === "app" ? "app partitions start on a 64 KiB boundary" : "partitions start on a 4 KiB sector"}; use e.g. ${hex(Math.ceil(p.offset / align) * align)}, or leave the offset empty`);
  }
  if (p.type === APP_PARTITION_TYPE && p.sizeBytes % APP_SIZE_ALIGN !== 0) {
    throw csvError(ctx.file, p.at.size, `size ${hex(p.sizeBytes)} of app partition "${p.name}" is not a multiple of 0x1000`, `App partitions are whole 4 KiB sectors; use e.g. ${hex(Math.ceil(p.sizeBytes / APP_SIZE_ALIGN) * APP_SIZE_ALIGN)}`);
  }
  const readonly = (p.flags & READONLY_FLAG) !== 0;
  if (p.type === DATA_PARTITION_TYPE && readonly && (p.subtype === DATA_SUBTYPE_OTA || p.subtype === DATA_SUBTYPE_COREDUMP)) {
    throw csvError(ctx.file, p.at.flags, `"${p.name}" cannot be readonly: ${p.subtype === DATA_SUBTYPE_OTA ? "OTA data" : "core dump"} partitions are always written by the firmware`, "Remove the readonly flag");
  }
  if (p.type === DATA_PARTITION_TYPE && p.subtype === DATA_SUBTYPE_NVS && p.sizeBytes < NVS_RW_MIN_BYTES && !readonly) {
    throw csvError(ctx.file, p.at.size, `NVS partition "${p.name}" of ${hex(p.sizeBytes)} bytes is too small to be written (read/write NVS needs at least ${hex(NVS_RW_MIN_BYTES)})`, `Make it ${hex(NVS_RW_MIN_BYTES)} or larger, or flag it readonly`);
  }
}

/** One OTA data partition at most, of exactly 0x2000 bytes (the same for TEE OTA data). */
function checkOtaData(parts: readonly PlacedPartition[], subtype: number, what: string, ctx: CsvContext): void {
  const found = parts.filter((p) => p.type === DATA_PARTITION_TYPE && p.subtype === subtype);
  const [first, second] = found;
  if (first !== undefined && second !== undefined) {
    throw csvError(ctx.file, second.at.subtype, `a second ${what} partition ("${second.name}"; the first is "${first.name}" on line ${first.line})`, `A table holds one ${what} partition; remove one`);
  }
  if (first !== undefined && first.sizeBytes !== OTA_DATA_BYTES) {
    throw csvError(ctx.file, first.at.size, `${what} partition "${first.name}" is ${hex(first.sizeBytes)} bytes; it must be ${hex(OTA_DATA_BYTES)}`, `Give it size ${hex(OTA_DATA_BYTES)} (8K)`);
  }
}

/** The checks gen_esp32part.py's `verify` makes, in its order. Throws `PARTITION_TABLE_INVALID`. */
export function checkPlacedPartitions(parts: readonly PlacedPartition[], ctx: CsvContext, options: LayoutCheckOptions = {}): void {
  for (const p of parts) checkOne(p, ctx);

  const byName = new Map<string, PlacedPartition>();
  for (const p of parts) {
    const earlier = byName.get(p.name);
    if (earlier !== undefined) throw csvError(ctx.file, p.at.name, `partition name "${p.name}" is already used on line ${earlier.line}`, "Give every partition its own name; apps find partitions by name");
    byName.set(p.name, p);
  }

  const tableEnd = ctx.tableOffset + PARTITION_TABLE_SECTOR_BYTES;
  const sorted = [...parts].sort((a, b) => a.offset - b.offset);
  sorted.forEach((p, i) => {
    if (p.offset < tableEnd && !p.placedByTool) {
      throw csvError(ctx.file, p.at.offset, `offset ${hex32(p.offset)} of "${p.name}" is below the end of the partition table (${hex32(tableEnd)})`, `Place partitions at ${hex(tableEnd)} or higher`);
    }
    const prev = sorted[i - 1];
    if (prev !== undefined && p.offset < prev.offset + prev.sizeBytes) {
      throw csvError(ctx.file, p.at.offset, `"${p.name}" at ${hex32(p.offset)} overlaps "${prev.name}" (line ${prev.line}, ${hex32(prev.offset)}..${hex32(prev.offset + prev.sizeBytes)})`, "Move one of them, or leave the offsets empty to have them placed one after another");
    }
  });

  checkOtaData(parts, DATA_SUBTYPE_OTA, "OTA data", ctx);
  checkOtaData(parts, DATA_SUBTYPE_TEE_OTA, "TEE OTA data", ctx);

  const extra = parts[MAX_PARTITION_ENTRIES];
  if (extra !== undefined) {
    throw csvError(ctx.file, { line: extra.line, column: 1 }, `the table defines ${parts.length} partitions; at most ${MAX_PARTITION_ENTRIES} fit in 0xC00 bytes beside the MD5 entry`, "Merge or remove partitions");
  }
  if (options.flashSizeBytes !== undefined) {
    const last = sorted.reduce<PlacedPartition | undefined>((a, p) => (a === undefined || p.offset + p.sizeBytes > a.offset + a.sizeBytes ? p : a), undefined);
    if (last !== undefined && last.offset + last.sizeBytes > options.flashSizeBytes) {
      throw csvError(ctx.file, last.at.size, `"${last.name}" ends at ${hex32(last.offset + last.sizeBytes)}, past the end of the ${options.flashSizeBytes / 0x100000} MiB flash`, "Make the partitions smaller, or build for a larger flash");
    }
  }
}

/**
 * ESP-IDF partition tables written as CSV, compiled to the binary table byte for byte as ESP-IDF's
 * `gen_esp32part.py` compiles them (its CSV rules, computed offsets and checks; see the
 * `partition-csv-*` files). Where gen_esp32part.py would silently produce something the firmware
 * cannot use — a name cut to 16 bytes, a partition of size 0, an environment variable espsync cannot
 * see — espsync refuses instead of producing different bytes.
 */
import { EspsyncError } from "../errors.js";
import { PARTITION_TABLE_OFFSET } from "./chip-table.js";
import { parsePartitionRow, type CsvContext } from "./partition-csv-fields.js";
import { checkPlacedPartitions, placePartitions, type PlacedPartition } from "./partition-csv-layout.js";
import { csvError, tokenizePartitionCsv } from "./partition-csv-tokens.js";
import { looksLikePartitionTable } from "./partition-table.js";
import { encodePartitionTable } from "./partition-table-encode.js";

export type { PlacedPartition } from "./partition-csv-layout.js";

/** Where the table goes and what the compiler may need to know about the chip. */
export interface PartitionCsvOptions {
  /** Flash offset of the table (default 0x8000); empty offsets start one sector after it. */
  readonly tableOffset?: number;
  /** Flash offset of the chip's bootloader: needed only by `bootloader` lines. */
  readonly bootloaderOffset?: number;
  /** Flash offset of the recovery bootloader: needed only by `bootloader, recovery` lines. */
  readonly recoveryBootloaderOffset?: number;
  /** When given, every partition must end inside this flash size. */
  readonly flashSizeBytes?: number;
}

/**
 * The partitions of a CSV with their final offsets and sizes, checked. Throws an `EspsyncError`
 * (`PARTITION_TABLE_INVALID`) whose message starts with `fileName:line:column: `.
 */
export function layoutPartitionCsv(text: string, fileName: string, options: PartitionCsvOptions = {}): PlacedPartition[] {
  const ctx: CsvContext = {
    file: fileName,
    tableOffset: options.tableOffset ?? PARTITION_TABLE_OFFSET,
    bootloaderOffset: options.bootloaderOffset,
    recoveryBootloaderOffset: options.recoveryBootloaderOffset,
  };
  const rows = tokenizePartitionCsv(text);
  if (rows.length === 0) {
    throw csvError(fileName, { line: 1, column: 1 }, "no partitions: every line is empty or a comment", "Add partition lines such as: nvs, data, nvs, , 0x6000");
  }
  const placed = placePartitions(rows.map((row) => parsePartitionRow(row, ctx)), ctx);
  checkPlacedPartitions(placed, ctx, { flashSizeBytes: options.flashSizeBytes });
  return placed;
}

/**
 * Compiles an ESP-IDF partition CSV to the 0xC00-byte binary table with its MD5 entry, identical to
 * what gen_esp32part.py writes for the same CSV. `fileName` names the file in messages. Throws an
 * `EspsyncError` (`PARTITION_TABLE_INVALID`) whose message starts with `fileName:line:column: `.
 */
export function compilePartitionCsv(text: string, fileName: string, options: PartitionCsvOptions = {}): Uint8Array {
  const placed = layoutPartitionCsv(text, fileName, options);
  return encodePartitionTable(placed.map((p) => ({ label: p.name, type: p.type, subtype: p.subtype, offset: p.offset, sizeBytes: p.sizeBytes, flags: p.flags })));
}

/** The byte order marks gen_esp32part.py decodes by (UTF-8, UTF-16). */
function decodeCsv(bytes: Uint8Array, fileName: string): string {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    const body = Buffer.from(bytes.subarray(2));
    if (b0 === 0xfe) body.swap16();
    return body.toString("utf16le");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new EspsyncError("PARTITION_TABLE_INVALID", `${fileName}:1:1: the file is neither a binary partition table (AA 50 …) nor UTF-8 text`, {
      hint: "Give a partition table .bin or its .csv",
      cause,
    });
  }
}

/**
 * The binary table in a partition table file, as gen_esp32part.py tells them apart: a file starting
 * with `AA 50` is a binary table and is returned unchanged; anything else is a CSV and is compiled.
 */
export function partitionTableFromFile(bytes: Uint8Array, fileName: string, options: PartitionCsvOptions = {}): Uint8Array {
  if (looksLikePartitionTable(bytes)) return bytes;
  return compilePartitionCsv(decodeCsv(bytes, fileName), fileName, options);
}

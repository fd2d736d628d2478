/**
 * Parser of the ESP-IDF binary partition table (PROTOCOL.md §5.6): 32-byte entries with magic
 * `AA 50`, an optional MD5 entry `EB EB` over the entries before it, and a 32×`FF` end marker.
 * Pure: never throws, reports problems instead.
 */
import { createHash } from "node:crypto";
import { toHex } from "../util/hex.js";
import { hex32 } from "../errors.js";

/** Bytes of the table that may hold entries (PROTOCOL.md §5.6). */
export const PARTITION_TABLE_MAX_BYTES = 0xc00;
const ENTRY_BYTES = 32;
const APP_ALIGN_BYTES = 0x10000;
const DATA_ALIGN_BYTES = 0x1000;

/** Partition type names by type byte (PROTOCOL.md §5.6). */
export const PARTITION_TYPE_NAMES: Readonly<Record<number, string>> = { 0x00: "app", 0x01: "data", 0x02: "bootloader", 0x03: "partition_table" };

/** Data subtype names (PROTOCOL.md §5.6). */
export const DATA_SUBTYPE_NAMES: Readonly<Record<number, string>> = {
  0x00: "ota", 0x01: "phy", 0x02: "nvs", 0x03: "coredump", 0x04: "nvs_keys", 0x05: "efuse", 0x06: "undefined",
  0x80: "esphttpd", 0x81: "fat", 0x82: "spiffs", 0x83: "littlefs",
};

/** Names an app subtype: factory, ota_N, test (PROTOCOL.md §5.6). */
function appSubtypeName(subtype: number): string {
  if (subtype === 0x00) return "factory";
  if (subtype >= 0x10 && subtype <= 0x1f) return `ota_${subtype - 0x10}`;
  if (subtype === 0x20) return "test";
  return `0x${subtype.toString(16).padStart(2, "0")}`;
}

/** One partition. */
export interface PartitionEntry {
  readonly label: string;
  readonly type: number;
  /** `app`, `data`, `bootloader`, `partition_table`, or the number in hex. */
  readonly typeName: string;
  readonly subtype: number;
  /** `factory`, `ota_0`, `nvs`, `spiffs`, …, or the number in hex. */
  readonly subtypeName: string;
  readonly offset: number;
  readonly sizeBytes: number;
  readonly flags: number;
  readonly encrypted: boolean;
  readonly readonly: boolean;
}

/** A parsed partition table. */
export interface PartitionTable {
  /** True when no problem was found. */
  readonly valid: boolean;
  /** Reasons the table is invalid. */
  readonly problems: readonly string[];
  readonly entries: readonly PartitionEntry[];
  /** The MD5 entry, when present. */
  readonly md5: { readonly stored: string; readonly computed: string; readonly valid: boolean } | undefined;
}

/** True when `bytes` starts like a partition table (first entry magic `AA 50`). */
export function looksLikePartitionTable(bytes: Uint8Array): boolean {
  return bytes[0] === 0xaa && bytes[1] === 0x50;
}

/** Parses a partition table from the start of `bytes`. */
export function parsePartitionTable(bytes: Uint8Array): PartitionTable {
  const problems: string[] = [];
  const entries: PartitionEntry[] = [];
  let md5: PartitionTable["md5"];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let ended = false;
  const limit = Math.min(bytes.length, PARTITION_TABLE_MAX_BYTES);
  for (let pos = 0; pos + ENTRY_BYTES <= limit; pos += ENTRY_BYTES) {
    const e = bytes.subarray(pos, pos + ENTRY_BYTES);
    if (e.every((b) => b === 0xff)) {
      ended = true;
      break;
    }
    if (e[0] === 0xeb && e[1] === 0xeb) {
      const stored = toHex(e.subarray(16, 32));
      const computed = createHash("md5").update(bytes.subarray(0, pos)).digest("hex");
      md5 = { stored, computed, valid: stored === computed };
      if (!md5.valid) problems.push(`MD5 entry at table offset 0x${pos.toString(16)} is ${stored}, computed ${computed}`);
      continue;
    }
    if (e[0] !== 0xaa || e[1] !== 0x50) {
      problems.push(`entry at table offset 0x${pos.toString(16)} has magic ${toHex(e.subarray(0, 2))}, expected aa50`);
      break;
    }
    const type = e[2] as number;
    const subtype = e[3] as number;
    const labelBytes = e.subarray(12, 28);
    const nul = labelBytes.indexOf(0);
    const flags = view.getUint32(pos + 28, true);
    entries.push({
      label: Buffer.from(labelBytes.subarray(0, nul < 0 ? 16 : nul)).toString("utf8"),
      type,
      typeName: PARTITION_TYPE_NAMES[type] ?? `0x${type.toString(16).padStart(2, "0")}`,
      subtype,
      subtypeName: type === 0 ? appSubtypeName(subtype) : (type === 1 ? DATA_SUBTYPE_NAMES[subtype] : undefined) ?? `0x${subtype.toString(16).padStart(2, "0")}`,
      offset: view.getUint32(pos + 4, true),
      sizeBytes: view.getUint32(pos + 8, true),
      flags,
      encrypted: (flags & 1) !== 0,
      readonly: (flags & 2) !== 0,
    });
  }
  if (!ended && problems.length === 0) problems.push("no end marker (32 bytes of 0xFF) within the first 0xC00 bytes");
  if (entries.length === 0 && problems.length === 0) problems.push("the table holds no partitions");
  problems.push(...layoutProblems(entries));
  return { valid: problems.length === 0, problems, entries, md5 };
}

function layoutProblems(entries: readonly PartitionEntry[]): string[] {
  const problems: string[] = [];
  for (const p of entries) {
    if (p.sizeBytes === 0) problems.push(`partition "${p.label}" at ${hex32(p.offset)} has size 0`);
    const align = p.type === 0 ? APP_ALIGN_BYTES : DATA_ALIGN_BYTES;
    if (p.offset % align !== 0) problems.push(`partition "${p.label}" at ${hex32(p.offset)} is not aligned to 0x${align.toString(16)}`);
  }
  const sorted = [...entries].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as PartitionEntry;
    const cur = sorted[i] as PartitionEntry;
    if (prev.offset + prev.sizeBytes > cur.offset) {
      problems.push(
        `partitions "${prev.label}" (${hex32(prev.offset)}..${hex32(prev.offset + prev.sizeBytes)}) and "${cur.label}" (${hex32(cur.offset)}..${hex32(cur.offset + cur.sizeBytes)}) overlap`,
      );
    }
  }
  return problems;
}

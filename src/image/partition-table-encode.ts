/**
 * Writes the binary partition table (PROTOCOL.md §5.6) exactly as ESP-IDF's gen_esp32part.py does:
 * one 32-byte entry per partition (`AA 50`, type, subtype, offset, size, 16-byte label, flags; little
 * endian), then the MD5 entry (`EB EB`, 14×`FF`, MD5 of the entries before it), then `FF` up to 0xC00
 * bytes — the rest of the sector stays free for a secure boot signature.
 */
import { createHash } from "node:crypto";
import { EspsyncError } from "../errors.js";
import { PARTITION_TABLE_MAX_BYTES } from "./partition-table.js";

const ENTRY_BYTES = 32;
const LABEL_BYTES = 16;
/**
 * Partitions that fit: the entries plus the MD5 entry must stay shorter than 0xC00 bytes, so that at
 * least one 32-byte end marker of `FF` follows (gen_esp32part.py refuses a table of 0xC00 bytes).
 */
export const MAX_PARTITION_ENTRIES = PARTITION_TABLE_MAX_BYTES / ENTRY_BYTES - 2;

/** One entry to write. */
export interface PartitionRecord {
  /** At most 16 bytes of UTF-8; shorter labels are padded with NUL. */
  readonly label: string;
  readonly type: number;
  readonly subtype: number;
  readonly offset: number;
  readonly sizeBytes: number;
  /** Bit 0 encrypted, bit 1 readonly. */
  readonly flags: number;
}

/**
 * The 0xC00-byte table for `records`, in the order given. Throws `PARTITION_TABLE_INVALID` for more
 * than {@link MAX_PARTITION_ENTRIES} records or a label longer than 16 bytes (callers that know where
 * a record came from check both first, to say where).
 */
export function encodePartitionTable(records: readonly PartitionRecord[]): Uint8Array {
  if (records.length > MAX_PARTITION_ENTRIES) {
    throw new EspsyncError("PARTITION_TABLE_INVALID", `a partition table holds at most ${MAX_PARTITION_ENTRIES} partitions, not ${records.length}`, { hint: "Merge or remove partitions" });
  }
  const out = new Uint8Array(PARTITION_TABLE_MAX_BYTES).fill(0xff);
  const view = new DataView(out.buffer);
  records.forEach((r, i) => {
    const at = i * ENTRY_BYTES;
    const label = Buffer.from(r.label, "utf8");
    if (label.length > LABEL_BYTES) {
      throw new EspsyncError("PARTITION_TABLE_INVALID", `partition label "${r.label}" is ${label.length} bytes; an entry holds ${LABEL_BYTES}`, { hint: "Shorten the label" });
    }
    out[at] = 0xaa;
    out[at + 1] = 0x50;
    out[at + 2] = r.type;
    out[at + 3] = r.subtype;
    view.setUint32(at + 4, r.offset, true);
    view.setUint32(at + 8, r.sizeBytes, true);
    out.fill(0, at + 12, at + 12 + LABEL_BYTES);
    out.set(label, at + 12);
    view.setUint32(at + 28, r.flags, true);
  });
  const md5At = records.length * ENTRY_BYTES;
  out[md5At] = 0xeb;
  out[md5At + 1] = 0xeb;
  out.set(createHash("md5").update(out.subarray(0, md5At)).digest(), md5At + 16);
  return out;
}

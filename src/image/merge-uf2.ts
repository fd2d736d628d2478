/**
 * UF2 (github.com/microsoft/uf2) as esptool's `merge-bin --format uf2` writes it for the ESP USB
 * Bridge: 512-byte blocks (32-byte header, 476 data bytes, end magic), the chip's family id with
 * flag 0x2000, and by default an MD5 entry per block (flag 0x4000: address, length and MD5 of the
 * block's payload, right after the payload) with the largest payload that leaves room for it (452
 * bytes). Like esptool, each input file is cut into its own blocks, numbered from 0 per file, and
 * unused data bytes are zero.
 */
import { createHash } from "node:crypto";
import { EspsyncError } from "../errors.js";
import type { ImageChip } from "./chip-table.js";
import type { MergeSegment } from "./merge-raw.js";

/** UF2 family ids per chip (esptool `targets/*.py` UF2_FAMILY_ID, the same in microsoft/uf2's uf2families.json). */
export const UF2_FAMILY_IDS: Readonly<Record<ImageChip, number>> = {
  esp32: 0x1c5f21b0,
  esp32s2: 0xbfdd4eee,
  esp32s3: 0xc47e5767,
  esp32c2: 0x2b88d29c,
  esp32c3: 0xd42ba06c,
  esp32c5: 0xf71c0343,
  esp32c6: 0x540ddf62,
  esp32c61: 0x77d850c4,
  esp32h2: 0x332726f6,
  esp32p4: 0x3d308e94,
};

/** UF2 block layout (microsoft/uf2 README, "File format"). */
export const UF2 = {
  blockBytes: 512,
  dataBytes: 476,
  md5EntryBytes: 24,
  magicStart0: 0x0a324655,
  magicStart1: 0x9e5d5157,
  magicEnd: 0x0ab16f30,
  flagFamilyIdPresent: 0x00002000,
  flagMd5Present: 0x00004000,
} as const;

/** UF2 options. */
export interface Uf2Options {
  /** Payload bytes per block: a multiple of 4, at most 452 with MD5 entries (476 without). Default: the most. */
  readonly chunkSizeBytes?: number;
  /** Write the MD5 entry (default true; esptool's `--md5-disable` turns it off). */
  readonly md5?: boolean;
}

/** The largest payload for the options, and a check of a requested one (`USAGE` when it does not fit). */
export function uf2ChunkSize(options: Uf2Options = {}): number {
  const md5 = options.md5 !== false;
  const max = UF2.dataBytes - (md5 ? UF2.md5EntryBytes : 0);
  const size = options.chunkSizeBytes ?? max;
  if (!Number.isInteger(size) || size <= 0 || size % 4 !== 0 || size > max) {
    throw new EspsyncError("USAGE", `UF2 chunk size ${size} is not a multiple of 4 from 4 to ${max}`, {
      hint: `UF2 payloads are 4-byte aligned and fit in ${UF2.dataBytes} bytes${md5 ? ` beside the ${UF2.md5EntryBytes}-byte MD5 entry` : ""}; 256 is common`,
    });
  }
  return size;
}

/** The UF2 file: every segment in blocks of `chunkSizeBytes`, in address order. */
export function toUf2(segments: readonly MergeSegment[], familyId: number, options: Uf2Options = {}): Uint8Array {
  const md5 = options.md5 !== false;
  const chunk = uf2ChunkSize(options);
  const flags = UF2.flagFamilyIdPresent | (md5 ? UF2.flagMd5Present : 0);
  const sorted = [...segments].filter((s) => s.bytes.length > 0).sort((a, b) => a.addr - b.addr);
  const total = sorted.reduce((n, s) => n + Math.ceil(s.bytes.length / chunk), 0);
  const out = new Uint8Array(total * UF2.blockBytes);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const s of sorted) {
    const blocks = Math.ceil(s.bytes.length / chunk);
    for (let i = 0; i < blocks; i++) {
      const payload = s.bytes.subarray(i * chunk, (i + 1) * chunk);
      const addr = s.addr + i * chunk;
      const header = [UF2.magicStart0, UF2.magicStart1, flags, addr, payload.length, i, blocks, familyId];
      header.forEach((word, k) => view.setUint32(at + k * 4, word, true));
      out.set(payload, at + 32);
      if (md5) {
        // esptool puts the entry right after the payload (the end of data[] for full blocks).
        view.setUint32(at + 32 + payload.length, addr, true);
        view.setUint32(at + 36 + payload.length, payload.length, true);
        out.set(createHash("md5").update(payload).digest(), at + 40 + payload.length);
      }
      view.setUint32(at + UF2.blockBytes - 4, UF2.magicEnd, true);
      at += UF2.blockBytes;
    }
  }
  return out;
}

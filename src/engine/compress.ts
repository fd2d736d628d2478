/**
 * The payload of a write run: the run's bytes deflated the way esptool does it (zlib stream, level 9,
 * PROTOCOL.md §2.3), or nothing when compression would not make the transfer smaller.
 */
import { deflateSync } from "node:zlib";

/** zlib level the reference tools use for FLASH_DEFL_* payloads (PROTOCOL.md §2.3). */
export const DEFLATE_LEVEL = 9;

/**
 * The zlib stream to send for `data`, or `undefined` when it is not smaller than `data` (random or
 * already compressed bytes): then the raw bytes go, as esptool.py falls back to uncompressed.
 */
export function compressRun(data: Uint8Array): Uint8Array | undefined {
  const packed = deflateSync(data, { level: DEFLATE_LEVEL });
  return packed.length < data.length ? new Uint8Array(packed.buffer, packed.byteOffset, packed.length) : undefined;
}

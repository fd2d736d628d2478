/**
 * The raw merged image: one binary to write at one flash address, each part at its offset from it
 * and every gap filled with 0xFF — what erased flash reads, so writing the gaps changes nothing a
 * separate flash of the parts would have left.
 */

/** One piece of a merged image: bytes at a flash address. */
export interface MergeSegment {
  readonly addr: number;
  readonly bytes: Uint8Array;
}

/**
 * The bytes from `startAddr` to `endAddr` (default: the end of the last segment), segments placed at
 * `addr - startAddr`, the rest 0xFF. Segments must not overlap and must lie inside the range.
 */
export function toRawImage(segments: readonly MergeSegment[], startAddr: number, endAddr?: number): Uint8Array {
  const dataEnd = segments.reduce((end, s) => Math.max(end, s.addr + s.bytes.length), startAddr);
  const out = new Uint8Array((endAddr ?? dataEnd) - startAddr).fill(0xff);
  for (const s of segments) out.set(s.bytes, s.addr - startAddr);
  return out;
}

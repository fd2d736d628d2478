/**
 * Little-endian 32-bit words, the unit of every command payload (PROTOCOL.md §1.2).
 */

/** Packs words as u32 little-endian. */
export function u32le(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v >>> 0, true));
  return out;
}

/** Reads the u32 little-endian word at byte offset `offset`. */
export function readU32(data: Uint8Array, offset: number): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(offset, true);
}

/** XOR checksum of a data block, seed 0xEF (PROTOCOL.md §1.7). */
export function dataChecksum(data: Uint8Array): number {
  let c = 0xef;
  for (const b of data) c ^= b;
  return c;
}

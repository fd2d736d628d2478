/**
 * Flash geometry shared by the image reader and the planner (PROTOCOL.md §5.1): erase granularity is a
 * 4 KiB sector, the stub erases 64 KiB blocks when it can, programming is done in 256-byte pages.
 */

/** Smallest erasable unit of NOR flash (PROTOCOL.md §5.1). */
export const SECTOR_SIZE_BYTES = 0x1000;
/** Block the flash can erase in one command (PROTOCOL.md §5.1). */
export const BLOCK_SIZE_BYTES = 0x10000;
/** Program page (PROTOCOL.md §5.1). */
export const PAGE_SIZE_BYTES = 0x100;

/** Rounds `value` up to a multiple of `alignBytes` (a power of two). */
export function alignUp(value: number, alignBytes: number): number {
  return Math.ceil(value / alignBytes) * alignBytes;
}

/** Rounds `value` down to a multiple of `alignBytes`. */
export function alignDown(value: number, alignBytes: number): number {
  return Math.floor(value / alignBytes) * alignBytes;
}

/** True when `value` is a multiple of `alignBytes`. */
export function isAligned(value: number, alignBytes: number): boolean {
  return value % alignBytes === 0;
}

/** Number of 4 KiB sectors needed to hold `sizeBytes`. */
export function sectorCount(sizeBytes: number): number {
  return Math.ceil(sizeBytes / SECTOR_SIZE_BYTES);
}

/**
 * Returns `data` padded with 0xFF to the end of its last 4 KiB sector. Erased flash reads 0xFF, so
 * the padded bytes are what the chip holds after writing `data`; comparing digests over the padded
 * range is what lets an unchanged image be skipped. Returns `data` itself when already aligned.
 */
export function padToSector(data: Uint8Array): Uint8Array {
  const padded = alignUp(data.length, SECTOR_SIZE_BYTES);
  if (padded === data.length) return data;
  const out = new Uint8Array(padded);
  out.fill(0xff);
  out.set(data, 0);
  return out;
}

/** True when every byte of `data` is 0xFF (erased flash). */
export function isErased(data: Uint8Array): boolean {
  // Word-wise compare when aligned: this runs over every sector of every image.
  if (data.byteOffset % 4 === 0 && data.length % 4 === 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length / 4);
    for (let i = 0; i < words.length; i++) if (words[i] !== 0xffffffff) return false;
    return true;
  }
  for (let i = 0; i < data.length; i++) if (data[i] !== 0xff) return false;
  return true;
}

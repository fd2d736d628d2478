/**
 * The bytes one region should hold, with the facts about them the planner asks for again and again
 * (digests, erased sectors, compressibility) computed once and remembered. Works on subarrays of the
 * caller's buffer: no per-sector copies.
 */
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import { EspsyncError, hex32 } from "../errors.js";
import { BLOCK_SIZE_BYTES, SECTOR_SIZE_BYTES, isErased } from "../util/sectors.js";

/** A range of flash and the bytes it should hold (an `ImageRegion` satisfies this). */
export interface TargetRegion {
  /** Flash address, 4 KiB aligned. */
  readonly addr: number;
  /** Target bytes; length a multiple of 4 KiB (image regions are padded with 0xFF). */
  readonly data: Uint8Array;
}

/** Sectors of a block deflated to estimate its compressibility (a quarter of a 64 KiB block). */
const SAMPLE_SECTORS = 4;

/** MD5 of `data` as lower-case hex. */
export function md5Hex(data: Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

/** Memoised facts about one target region. Deterministic: safe to share between probe states. */
export class RegionTarget {
  readonly addr: number;
  readonly data: Uint8Array;
  readonly sizeBytes: number;
  readonly sectorCount: number;
  readonly blockCount: number;
  private wholeMd5: string | undefined;
  private readonly sectorMd5s: (string | undefined)[];
  private readonly erased: Int8Array;
  private readonly blockCompressed: Float64Array;

  constructor(region: TargetRegion) {
    if (region.addr % SECTOR_SIZE_BYTES !== 0 || region.data.length % SECTOR_SIZE_BYTES !== 0 || region.data.length === 0) {
      throw new EspsyncError("INTERNAL", `region at ${hex32(region.addr)} of ${region.data.length} bytes is not whole 4 KiB sectors`, {
        hint: "Pad image data to a sector (padToSector) before planning.",
      });
    }
    this.addr = region.addr;
    this.data = region.data;
    this.sizeBytes = region.data.length;
    this.sectorCount = this.sizeBytes / SECTOR_SIZE_BYTES;
    this.blockCount = Math.ceil(this.sizeBytes / BLOCK_SIZE_BYTES);
    this.sectorMd5s = new Array<string | undefined>(this.sectorCount);
    this.erased = new Int8Array(this.sectorCount).fill(-1);
    this.blockCompressed = new Float64Array(this.blockCount).fill(-1);
  }

  /** MD5 (hex) of the whole region. */
  md5(): string {
    this.wholeMd5 ??= md5Hex(this.data);
    return this.wholeMd5;
  }

  /** MD5 (hex) of `[offset, offset + sizeBytes)` of the region. */
  md5Of(offset: number, sizeBytes: number): string {
    return offset === 0 && sizeBytes === this.sizeBytes ? this.md5() : md5Hex(this.data.subarray(offset, offset + sizeBytes));
  }

  /** MD5 (hex) of sector `i`, remembered (the cache check and sector probes both ask for it). */
  sectorMd5(i: number): string {
    let m = this.sectorMd5s[i];
    if (m === undefined) {
      m = md5Hex(this.sector(i));
      this.sectorMd5s[i] = m;
    }
    return m;
  }

  /** Sector `i`'s bytes (a view). */
  sector(i: number): Uint8Array {
    return this.data.subarray(i * SECTOR_SIZE_BYTES, (i + 1) * SECTOR_SIZE_BYTES);
  }

  /** True when sector `i` should hold only 0xFF (erasing it is enough). */
  isErasedSector(i: number): boolean {
    if (this.erased[i] === -1) this.erased[i] = isErased(this.sector(i)) ? 1 : 0;
    return this.erased[i] === 1;
  }

  /** Range of block `b` within the region: [offset, sizeBytes]. */
  block(b: number): { offset: number; sizeBytes: number } {
    const offset = b * BLOCK_SIZE_BYTES;
    return { offset, sizeBytes: Math.min(BLOCK_SIZE_BYTES, this.sizeBytes - offset) };
  }

  /**
   * Estimated deflate size of `[offset, offset + sizeBytes)`: each 64 KiB block's ratio is estimated
   * once, from a fast deflate of a spread sample of its sectors, and applied to the part of the block
   * the range covers. Estimating from block ratios keeps planning linear in the image size however
   * many candidate runs are weighed; sampling keeps it a fraction of the level-9 deflate the engine
   * runs on what it actually sends. The estimate only has to rank alternatives.
   */
  compressedBytes(offset: number, sizeBytes: number): number {
    let total = 0;
    const end = offset + sizeBytes;
    for (let b = Math.floor(offset / BLOCK_SIZE_BYTES); b * BLOCK_SIZE_BYTES < end; b++) {
      const blk = this.block(b);
      if (this.blockCompressed[b] === -1) this.blockCompressed[b] = this.estimateBlock(blk.offset, blk.sizeBytes);
      const overlap = Math.min(end, blk.offset + blk.sizeBytes) - Math.max(offset, blk.offset);
      total += ((this.blockCompressed[b] as number) * overlap) / blk.sizeBytes;
    }
    return total;
  }

  /** Deflated size of a block, estimated from {@link SAMPLE_SECTORS} of its sectors spread over it. */
  private estimateBlock(offset: number, sizeBytes: number): number {
    const sectors = sizeBytes / SECTOR_SIZE_BYTES;
    if (sectors <= SAMPLE_SECTORS) return deflateSync(this.data.subarray(offset, offset + sizeBytes), { level: 1 }).length;
    const sample = new Uint8Array(SAMPLE_SECTORS * SECTOR_SIZE_BYTES);
    for (let k = 0; k < SAMPLE_SECTORS; k++) {
      const s = Math.floor((k * sectors) / SAMPLE_SECTORS);
      sample.set(this.data.subarray(offset + s * SECTOR_SIZE_BYTES, offset + (s + 1) * SECTOR_SIZE_BYTES), k * SECTOR_SIZE_BYTES);
    }
    return (deflateSync(sample, { level: 1 }).length * sizeBytes) / sample.length;
  }
}

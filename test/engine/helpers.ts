/** Shared helpers of the engine tests: image sets of plain data files, digests, a seeded byte source. */
import { createHash } from "node:crypto";
import { buildImageSet, type ImageChip, type ImageSet } from "../../src/image/index.js";
import type { CacheEntry } from "../../src/plan/index.js";
import type { CacheStore, FlashEvent } from "../../src/engine/index.js";

export const SECTOR = 0x1000;

/** MD5 hex, computed here (not by the code under test). */
export function md5(data: Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

/** Deterministic bytes (xorshift) so failures reproduce. */
export function seededBytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * An image set of plain data files for esp32 (addresses chosen away from the bootloader, partition
 * table and app offsets, so nothing is parsed as an ESP image).
 */
export function dataSet(files: readonly { addr: number; bytes: Uint8Array }[], chip: ImageChip = "esp32"): ImageSet {
  return buildImageSet(
    files.map((f, i) => ({ addr: f.addr, path: `data${i}.bin`, bytes: f.bytes })),
    { chip, chipSource: "option" },
  );
}

/** A cache store in memory that counts loads and saves. */
export class MemoryCache implements CacheStore {
  entries: readonly CacheEntry[] = [];
  saves = 0;
  async load(): Promise<readonly CacheEntry[]> {
    return this.entries;
  }
  async save(entries: readonly CacheEntry[]): Promise<void> {
    this.saves++;
    this.entries = entries;
  }
}

/** Collects events. */
export function eventLog(): { events: FlashEvent[]; onEvent: (e: FlashEvent) => void } {
  const events: FlashEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

/** Planner switches off: the plan writes exactly the differing sectors. */
export const EXACT = { merge: false, widen: false, fullFallback: false } as const;

/** XORs `data[index]` with `mask` (in place). */
export function flip(data: Uint8Array, index: number, mask: number): void {
  data[index] = (data[index] as number) ^ mask;
}

/**
 * The host-side record of what espsync last wrote, so a later run can know the per-sector state of a
 * region from one whole-region digest. Pure values; loading and saving the file is the caller's job.
 */
import { SECTOR_SIZE_BYTES } from "../util/sectors.js";
import { md5Hex, type TargetRegion } from "./target.js";

/** What was written to one region of one chip. */
export interface CacheEntry {
  /** Factory MAC of the chip (`aa:bb:cc:dd:ee:ff`). */
  readonly mac: string;
  readonly addr: number;
  readonly sizeBytes: number;
  /** MD5 (hex) of the whole region as written. */
  readonly regionMd5: string;
  /** MD5 (hex) of every 4 KiB sector, concatenated (32 characters each). */
  readonly sectorMd5s: string;
}

/** The cache entry describing `region` after it was written (and verified) on chip `mac`. */
export function cacheEntryFor(region: TargetRegion, mac: string): CacheEntry {
  const parts: string[] = [];
  for (let o = 0; o < region.data.length; o += SECTOR_SIZE_BYTES) parts.push(md5Hex(region.data.subarray(o, o + SECTOR_SIZE_BYTES)));
  return { mac, addr: region.addr, sizeBytes: region.data.length, regionMd5: md5Hex(region.data), sectorMd5s: parts.join("") };
}

/** The entry for `mac` and exactly this region's range, if any. */
export function findCacheEntry(entries: readonly CacheEntry[], mac: string | undefined, addr: number, sizeBytes: number): CacheEntry | undefined {
  return entries.find((e) => (mac === undefined || e.mac === mac) && e.addr === addr && e.sizeBytes === sizeBytes && e.sectorMd5s.length === (sizeBytes / SECTOR_SIZE_BYTES) * 32);
}

/** Cached MD5 (hex) of sector `i`. */
export function cachedSectorMd5(entry: CacheEntry, i: number): string {
  return entry.sectorMd5s.slice(i * 32, i * 32 + 32);
}

/** Replaces or adds entries (same mac, addr and size), returning a new list. */
export function updateCache(entries: readonly CacheEntry[], fresh: readonly CacheEntry[]): CacheEntry[] {
  const key = (e: CacheEntry): string => `${e.mac}@${e.addr}+${e.sizeBytes}`;
  const replaced = new Set(fresh.map(key));
  // An entry overlapping a freshly written range is stale even if its range differs.
  const overlaps = (e: CacheEntry): boolean => fresh.some((f) => f.mac === e.mac && e.addr < f.addr + f.sizeBytes && f.addr < e.addr + e.sizeBytes);
  return [...entries.filter((e) => !replaced.has(key(e)) && !overlaps(e)), ...fresh];
}

/**
 * Loading and saving the host digest cache around a flash. The cache only ever records what the
 * chip's own digest proved: a region written without verification loses its entry (a stale entry
 * must never let a later run skip something not proven), and `--erase-all` drops every entry of the
 * chip. A cache that cannot be read or written is a warning, never a failed flash.
 */
import type { ImageRegion } from "../image/index.js";
import { cacheEntryFor, updateCache, type CacheEntry } from "../plan/index.js";
import type { CacheStore, FlashEvent } from "./types.js";

/** Cache bookkeeping of one flash. */
export class CacheSync {
  private loaded: readonly CacheEntry[] = [];
  private readonly fresh: CacheEntry[] = [];
  private readonly unproven: { addr: number; sizeBytes: number }[] = [];
  private dropAll = false;

  constructor(
    private readonly store: CacheStore | undefined,
    private readonly mac: string,
    private readonly onEvent: (e: FlashEvent) => void,
  ) {}

  /** Loads the entries (empty without a store or when unreadable). */
  async load(): Promise<readonly CacheEntry[]> {
    if (this.store === undefined) return [];
    try {
      this.loaded = await this.store.load();
    } catch (err) {
      this.onEvent({ type: "warning", message: `digest cache not read (${(err as Error).message}); probing without it` });
      this.loaded = [];
    }
    return this.loaded;
  }

  /** The chip's digest proved `region` holds its target bytes. */
  proven(region: ImageRegion): void {
    this.fresh.push(cacheEntryFor(region, this.mac));
  }

  /** `region` was written but not verified: forget what the cache said about it. */
  unverified(region: ImageRegion): void {
    this.unproven.push({ addr: region.addr, sizeBytes: region.data.length });
  }

  /** The whole chip was erased: every entry of this chip is stale. */
  chipErased(): void {
    this.dropAll = true;
  }

  /** Saves the updated entries when anything changed; failures become warnings. */
  async save(): Promise<void> {
    if (this.store === undefined || (this.fresh.length === 0 && this.unproven.length === 0 && !this.dropAll)) return;
    const overlaps = (e: CacheEntry, r: { addr: number; sizeBytes: number }): boolean => e.addr < r.addr + r.sizeBytes && r.addr < e.addr + e.sizeBytes;
    const kept = this.loaded.filter((e) => e.mac !== this.mac || (!this.dropAll && !this.unproven.some((r) => overlaps(e, r))));
    try {
      await this.store.save(updateCache(kept, this.fresh));
    } catch (err) {
      this.onEvent({ type: "warning", message: `digest cache not saved (${(err as Error).message}); the next run probes without it` });
    }
  }
}

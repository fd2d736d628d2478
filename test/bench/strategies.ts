/**
 * The four ways of flashing the benchmark compares, each given a connected Device and the image set:
 * - `full`: esptool's default — every image written whole, deflated at level 9, then one MD5 each.
 * - `region-skip`: espflash, and esptool `--skip-flashed` — one MD5 per image; equal: skipped, else
 *   written whole and verified.
 * - `espsync (cold)`: the engine without a digest cache.
 * - `espsync (warm)`: the engine with the cache espsync recorded when it flashed the starting content.
 * The first two are written here over the Device, like the tools they stand for: they write the file
 * bytes padded to 4 and digest that length, not the sector-padded region.
 */
import { deflateSync } from "node:zlib";
import { flash, type CacheStore, type FlashResult } from "../../src/engine/index.js";
import { finalizeForChip, type ImageRegion, type ImageSet } from "../../src/image/index.js";
import type { CacheEntry, CostModel } from "../../src/plan/index.js";
import type { Device } from "../../src/protocol/device.js";
import { md5Hex } from "../../src/plan/index.js";
import { toHex } from "../../src/util/hex.js";

/** Strategy names, in report order. */
export const STRATEGIES = ["full", "region-skip", "espsync (cold)", "espsync (warm)"] as const;

/** One of {@link STRATEGIES}. */
export type StrategyName = (typeof STRATEGIES)[number];

/** What a strategy says about its own run, beyond the simulator's counters. */
export interface StrategyOutcome {
  /** Regions written / skipped, and the engine's plan summary when it ran. */
  readonly detail: string;
  /** Digest requests the strategy made (probe and verify). */
  readonly digestQueries: number;
}

/** Everything a strategy needs. */
export interface StrategyInput {
  readonly device: Device;
  readonly images: ImageSet;
  readonly baudRate: number;
  /** The planner's cost model when the link is not what the baud rate suggests (USB-Serial/JTAG). */
  readonly cost?: CostModel;
  /** Entries for the warm run (recorded beforehand). */
  readonly warmCache?: readonly CacheEntry[];
}

/** An in-memory CacheStore. */
export function memoryCache(initial: readonly CacheEntry[] = []): CacheStore & { entries: readonly CacheEntry[] } {
  const store = {
    entries: initial,
    load: async (): Promise<readonly CacheEntry[]> => store.entries,
    save: async (entries: readonly CacheEntry[]): Promise<void> => {
      store.entries = [...entries];
    },
  };
  return store;
}

/** The regions as the engine would write them on this chip (bootloader patched, sector padded). */
export function targetRegions(device: Device, images: ImageSet): readonly ImageRegion[] {
  const c = device.chip;
  return finalizeForChip(images, { chip: c.chip, revisionFull: c.revisionFull, flashSizeBytes: c.flashSizeBytes }).regions;
}

/** The file's bytes padded to 4 with 0xFF, as esptool sends them (the region data is 0xFF-padded). */
function fileBytes(r: ImageRegion): Uint8Array {
  return r.data.subarray(0, Math.ceil(r.fileSizeBytes / 4) * 4);
}

async function writeWholeAndVerify(device: Device, r: ImageRegion): Promise<void> {
  const padded = fileBytes(r);
  await device.write(r.addr, padded, { compressed: new Uint8Array(deflateSync(padded, { level: 9 })) });
  const chip = toHex(await device.md5(r.addr, padded.length));
  if (chip !== md5Hex(padded)) throw new Error(`verify of ${r.sourcePath} failed: chip ${chip}`);
}

/** esptool's default write_flash. */
export async function runFull({ device, images }: StrategyInput): Promise<StrategyOutcome> {
  const regions = targetRegions(device, images);
  for (const r of regions) await writeWholeAndVerify(device, r);
  return { detail: `${regions.length} written`, digestQueries: regions.length };
}

/** One digest per image; skip when equal. */
export async function runRegionSkip({ device, images }: StrategyInput): Promise<StrategyOutcome> {
  const regions = targetRegions(device, images);
  let written = 0;
  let queries = 0;
  for (const r of regions) {
    const data = fileBytes(r);
    queries++;
    if (toHex(await device.md5(r.addr, data.length)) === md5Hex(data)) continue;
    written++;
    queries++;
    await writeWholeAndVerify(device, r);
  }
  return { detail: `${written} written, ${regions.length - written} skipped`, digestQueries: queries };
}

function describe(result: FlashResult): StrategyOutcome {
  const t = result.plan.totals;
  const sectors = result.regions.reduce((n, r) => n + r.sectorsWritten, 0);
  const erased = result.regions.reduce((n, r) => n + r.sectorsErasedOnly, 0);
  return {
    detail: `${t.skipped} skip/${t.selective} sel/${t.full} full, ${sectors} sect written, ${erased} erased-only`,
    digestQueries: result.totals.digestQueries,
  };
}

/** The engine, no cache. */
export async function runEspsyncCold({ device, images, baudRate, cost }: StrategyInput): Promise<StrategyOutcome> {
  return describe(await flash({ device, images, baudRate, ...(cost && { cost }) }));
}

/** The engine with the recorded cache. */
export async function runEspsyncWarm({ device, images, baudRate, cost, warmCache }: StrategyInput): Promise<StrategyOutcome> {
  return describe(await flash({ device, images, baudRate, ...(cost && { cost }), cache: memoryCache(warmCache ?? []) }));
}

/** The runner of each strategy. */
export const STRATEGY_RUNNERS: Record<StrategyName, (input: StrategyInput) => Promise<StrategyOutcome>> = {
  full: runFull,
  "region-skip": runRegionSkip,
  "espsync (cold)": runEspsyncCold,
  "espsync (warm)": runEspsyncWarm,
};

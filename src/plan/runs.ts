/**
 * Turning the sectors to change into erase/write runs: one run per stretch of consecutive sectors,
 * erase-only where the target is all 0xFF, then (optionally) merging runs whose gap is cheaper to
 * rewrite than a separate run, and widening runs to an aligned 64 KiB block when one block erase
 * beats erasing its sectors one by one. Works on sector indexes; no bytes are copied.
 */
import { BLOCK_SIZE_BYTES, SECTOR_SIZE_BYTES } from "../util/sectors.js";
import { eraseTimeS, linkTimeS, programTimeS, type CostModel } from "./cost-model.js";
import type { RegionTarget } from "./target.js";

/** A run in sector indexes of the region. */
export interface SectorRun {
  readonly first: number;
  readonly count: number;
  readonly action: "write" | "erase";
}

const SECTORS_PER_BLOCK = BLOCK_SIZE_BYTES / SECTOR_SIZE_BYTES;

/** Options of {@link planRuns}. */
export interface RunOptions {
  /** Merge runs separated by gaps that are cheaper to rewrite than a separate run. */
  readonly merge: boolean;
  /** Widen write runs to whole aligned 64 KiB blocks when that is cheaper. */
  readonly widen: boolean;
}

/** Cost of one run, in seconds. */
export function runCostS(cost: CostModel, t: RegionTarget, run: SectorRun): number {
  const offset = run.first * SECTOR_SIZE_BYTES;
  const size = run.count * SECTOR_SIZE_BYTES;
  const erase = cost.runOverheadS + eraseTimeS(cost, t.addr + offset, size);
  if (run.action === "erase") return erase;
  return erase + linkTimeS(cost, cost.compress ? t.compressedBytes(offset, size) : size) + programTimeS(cost, size);
}

/** Cost of rewriting `count` unchanged sectors from `first` inside a write run (no extra run overhead). */
function rewriteCostS(cost: CostModel, t: RegionTarget, first: number, count: number): number {
  const size = count * SECTOR_SIZE_BYTES;
  return count * cost.sectorEraseS + linkTimeS(cost, cost.compress ? t.compressedBytes(first * SECTOR_SIZE_BYTES, size) : size) + programTimeS(cost, size);
}

function coalesce(runs: readonly SectorRun[]): SectorRun[] {
  const out: SectorRun[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    if (last !== undefined && last.action === r.action && last.first + last.count === r.first) out[out.length - 1] = { ...last, count: last.count + r.count };
    else out.push(r);
  }
  return out;
}

/** Runs for the sectors with `need[i]` true. */
export function planRuns(t: RegionTarget, need: readonly boolean[], cost: CostModel, options: RunOptions): SectorRun[] {
  let runs: SectorRun[] = [];
  for (let i = 0; i < need.length; i++) {
    if (!need[i]) continue;
    runs.push({ first: i, count: 1, action: t.isErasedSector(i) ? "erase" : "write" });
  }
  runs = coalesce(runs);
  if (options.merge) runs = mergeRuns(t, runs, cost);
  if (options.widen) runs = widenRuns(t, runs, cost);
  return runs;
}

function mergeRuns(t: RegionTarget, input: SectorRun[], cost: CostModel): SectorRun[] {
  // An erase run touching a write run: writing its 0xFF costs programming time but saves a run.
  let runs = input.map((r, k) => {
    if (r.action !== "erase") return r;
    const prev = input[k - 1];
    const next = input[k + 1];
    const touches = (prev?.action === "write" && prev.first + prev.count === r.first) || (next?.action === "write" && r.first + r.count === next.first);
    return touches && programTimeS(cost, r.count * SECTOR_SIZE_BYTES) < cost.runOverheadS ? { ...r, action: "write" as const } : r;
  });
  runs = coalesce(runs);
  // Write runs separated by a gap of unchanged sectors: rewrite the gap when that beats a new run.
  const out: SectorRun[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    if (last !== undefined && last.action === "write" && r.action === "write") {
      const gapFirst = last.first + last.count;
      const gap = r.first - gapFirst;
      if (rewriteCostS(cost, t, gapFirst, gap) < cost.runOverheadS) {
        out[out.length - 1] = { ...last, count: r.first + r.count - last.first };
        continue;
      }
    }
    out.push(r);
  }
  return out;
}

function widenRuns(t: RegionTarget, runs: SectorRun[], cost: CostModel): SectorRun[] {
  const covered = new Uint8Array(t.sectorCount); // 1 write, 2 erase
  for (const r of runs) covered.fill(r.action === "write" ? 1 : 2, r.first, r.first + r.count);
  // Aligned 64 KiB flash blocks lying fully inside the region.
  const firstBlockSector = ((BLOCK_SIZE_BYTES - (t.addr % BLOCK_SIZE_BYTES)) % BLOCK_SIZE_BYTES) / SECTOR_SIZE_BYTES;
  for (let s = firstBlockSector; s + SECTORS_PER_BLOCK <= t.sectorCount; s += SECTORS_PER_BLOCK) {
    const block = covered.subarray(s, s + SECTORS_PER_BLOCK);
    if (block.includes(2) || !block.includes(1) || !block.includes(0)) continue;
    let k = 0;
    let runsInside = 0;
    let extra = 0;
    for (let i = 0; i < SECTORS_PER_BLOCK; i++) {
      if (block[i] === 1) {
        k++;
        if (i === 0 || block[i - 1] !== 1) runsInside++;
      } else extra += rewriteCostS(cost, t, s + i, 1) - cost.sectorEraseS;
    }
    // Runs continuing past the block edge keep their own run; only runs wholly inside merge away.
    const now = k * cost.sectorEraseS + (runsInside - 1) * cost.runOverheadS;
    if (cost.blockEraseS + extra < now) block.fill(1);
  }
  const out: SectorRun[] = [];
  for (let i = 0; i < covered.length; i++) if (covered[i] !== 0) out.push({ first: i, count: 1, action: covered[i] === 1 ? "write" : "erase" });
  return coalesce(out);
}

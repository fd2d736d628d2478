/**
 * The flash plan: per region, skip it, write selected runs, or rewrite it whole — chosen with the cost
 * model from what the probe learnt. A plain value that tests compare whole.
 */
import { SECTOR_SIZE_BYTES } from "../util/sectors.js";
import { type CostModel } from "./cost-model.js";
import { writeCostS, type ProbeState, type RegionProbe } from "./probe.js";
import { planRuns, runCostS, type SectorRun } from "./runs.js";

/** One erase or write command range; write runs carry no bytes — the engine slices the target. */
export interface PlanRun {
  readonly addr: number;
  readonly sizeBytes: number;
  readonly action: "write" | "erase";
}

/** The decision for one region. */
export interface RegionPlan {
  readonly addr: number;
  readonly sizeBytes: number;
  readonly outcome: "skip" | "selective" | "full";
  /** Sector indexes (region-relative) the chip was found to hold differently. */
  readonly differingSectors: readonly number[];
  /** Sector indexes never probed (written to be safe). */
  readonly unknownSectors: readonly number[];
  readonly runs: readonly PlanRun[];
  /** Bytes expected to cross the link (compressed estimate when the cost model compresses). */
  readonly predictedBytesToChip: number;
  /** Expected time of the runs, in seconds (probing excluded). */
  readonly predictedTimeS: number;
  /** What probing cost: digests asked and flash bytes the chip read for them. */
  readonly probe: { readonly queries: number; readonly readBytes: number };
}

/** The whole plan. */
export interface FlashPlan {
  readonly regions: readonly RegionPlan[];
  readonly totals: {
    readonly skipped: number;
    readonly selective: number;
    readonly full: number;
    /** Flash bytes written by write runs. */
    readonly writeBytes: number;
    /** Flash bytes erased by erase-only runs. */
    readonly eraseBytes: number;
    readonly predictedBytesToChip: number;
    readonly predictedTimeS: number;
    readonly probeQueries: number;
    readonly probeReadBytes: number;
  };
}

/** Options of {@link buildPlan}; every switch defaults to on. */
export interface PlanOptions {
  readonly merge?: boolean;
  readonly widen?: boolean;
  /** Rewrite the whole region when that is predicted no slower than the selective runs. */
  readonly fullFallback?: boolean;
}

function toPlanRun(r: RegionProbe, run: SectorRun): PlanRun {
  return { addr: r.target.addr + run.first * SECTOR_SIZE_BYTES, sizeBytes: run.count * SECTOR_SIZE_BYTES, action: run.action };
}

function bytesToChip(cost: CostModel, r: RegionProbe, runs: readonly SectorRun[]): number {
  let total = 0;
  for (const run of runs) {
    if (run.action !== "write") continue;
    const size = run.count * SECTOR_SIZE_BYTES;
    total += cost.compress ? r.target.compressedBytes(run.first * SECTOR_SIZE_BYTES, size) : size;
  }
  return Math.round(total);
}

function planRegion(r: RegionProbe, cost: CostModel, options: PlanOptions): RegionPlan {
  const t = r.target;
  const need = r.sectors.map((s) => s !== "same");
  const differingSectors: number[] = [];
  const unknownSectors: number[] = [];
  r.sectors.forEach((s, i) => (s === "differs" ? differingSectors.push(i) : s === "unknown" ? unknownSectors.push(i) : undefined));
  const base = { addr: t.addr, sizeBytes: t.sizeBytes, differingSectors, unknownSectors, probe: { queries: r.queries, readBytes: r.readBytes } };
  if (!need.includes(true)) return { ...base, outcome: "skip", runs: [], predictedBytesToChip: 0, predictedTimeS: 0 };

  let runs = planRuns(t, need, cost, { merge: options.merge !== false, widen: options.widen !== false });
  let time = runs.reduce((sum, run) => sum + runCostS(cost, t, run), 0);
  const allErased = need.every((_, i) => t.isErasedSector(i));
  const full: SectorRun = { first: 0, count: t.sectorCount, action: allErased ? "erase" : "write" };
  const fullTime = allErased ? runCostS(cost, t, full) : writeCostS(cost, t, 0, t.sizeBytes);
  const coversAll = runs.length === 1 && runs[0]?.count === t.sectorCount;
  let outcome: RegionPlan["outcome"] = "selective";
  if (coversAll || (options.fullFallback !== false && fullTime <= time)) {
    outcome = "full";
    if (!coversAll) {
      runs = [full];
      time = fullTime;
    }
  }
  return { ...base, outcome, runs: runs.map((run) => toPlanRun(r, run)), predictedBytesToChip: bytesToChip(cost, r, runs), predictedTimeS: time };
}

/**
 * Builds the plan from a probe state (normally finished; sectors still `unknown` are written).
 * Pure and synchronous.
 */
export function buildPlan(state: ProbeState, options: PlanOptions = {}): FlashPlan {
  const regions = state.regions.map((r) => planRegion(r, state.cost, options));
  const sum = (f: (p: RegionPlan) => number): number => regions.reduce((s, p) => s + f(p), 0);
  const runBytes = (p: RegionPlan, action: PlanRun["action"]): number => p.runs.filter((x) => x.action === action).reduce((s, x) => s + x.sizeBytes, 0);
  return {
    regions,
    totals: {
      skipped: regions.filter((p) => p.outcome === "skip").length,
      selective: regions.filter((p) => p.outcome === "selective").length,
      full: regions.filter((p) => p.outcome === "full").length,
      writeBytes: sum((p) => runBytes(p, "write")),
      eraseBytes: sum((p) => runBytes(p, "erase")),
      predictedBytesToChip: sum((p) => p.predictedBytesToChip),
      predictedTimeS: sum((p) => p.predictedTimeS),
      probeQueries: sum((p) => p.probe.queries),
      probeReadBytes: sum((p) => p.probe.readBytes),
    },
  };
}

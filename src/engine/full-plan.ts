/**
 * The plan when nothing is probed (`--no-delta`, `--erase-all`, Secure Download Mode): every region
 * rewritten whole in one write run. Same shape as the planner's plan so results and rendering agree.
 */
import { DEFAULT_COST_MODEL, RegionTarget, writeCostS, type CostModel, type FlashPlan, type RegionPlan, type TargetRegion } from "../plan/index.js";

/** One full write run per region; predictions from the cost model like the planner's. */
export function fullWritePlan(regions: readonly TargetRegion[], cost: CostModel = DEFAULT_COST_MODEL): FlashPlan {
  const plans = regions.map((r): RegionPlan => {
    const t = new RegionTarget(r);
    return {
      addr: t.addr,
      sizeBytes: t.sizeBytes,
      outcome: "full",
      differingSectors: [],
      unknownSectors: [...Array(t.sectorCount).keys()],
      runs: [{ addr: t.addr, sizeBytes: t.sizeBytes, action: "write" }],
      predictedBytesToChip: Math.round(cost.compress ? t.compressedBytes(0, t.sizeBytes) : t.sizeBytes),
      predictedTimeS: writeCostS(cost, t, 0, t.sizeBytes),
      probe: { queries: 0, readBytes: 0 },
    };
  });
  const sum = (f: (p: RegionPlan) => number): number => plans.reduce((s, p) => s + f(p), 0);
  return {
    regions: plans,
    totals: {
      skipped: 0,
      selective: 0,
      full: plans.length,
      writeBytes: sum((p) => p.sizeBytes),
      eraseBytes: 0,
      predictedBytesToChip: sum((p) => p.predictedBytesToChip),
      predictedTimeS: sum((p) => p.predictedTimeS),
      probeQueries: 0,
      probeReadBytes: 0,
    },
  };
}

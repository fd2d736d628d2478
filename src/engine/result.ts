/** Building the per-region and overall result values from the plan and what execution did. */
import type { ImageRegion } from "../image/index.js";
import { md5Hex, type RegionPlan } from "../plan/index.js";
import { SECTOR_SIZE_BYTES } from "../util/sectors.js";
import type { RegionExecution } from "./execute-region.js";
import type { RegionResult } from "./types.js";

/** Sectors covered by the plan's write runs and erase-only runs. */
export function plannedSectors(plan: RegionPlan): { written: number; erasedOnly: number } {
  let written = 0;
  let erasedOnly = 0;
  for (const r of plan.runs) {
    if (r.action === "write") written += r.sizeBytes / SECTOR_SIZE_BYTES;
    else erasedOnly += r.sizeBytes / SECTOR_SIZE_BYTES;
  }
  return { written, erasedOnly };
}

/**
 * The result of one region; `exec` absent for a dry run (sector counts then say what would be done).
 * `skipProven`: the probe's digests showed the region already equal, which is its verification.
 */
export function regionResult(region: ImageRegion, plan: RegionPlan, exec: RegionExecution | undefined, durationMs: number, skipProven = false): RegionResult {
  const sectorsTotal = region.data.length / SECTOR_SIZE_BYTES;
  const { written, erasedOnly } = plannedSectors(plan);
  const expectedMd5 = md5Hex(region.data);
  const verified = skipProven ? expectedMd5 : exec?.verifiedMd5;
  return {
    addr: region.addr,
    sizeBytes: region.data.length,
    sourcePath: region.sourcePath,
    kind: region.kind,
    outcome: plan.outcome,
    sectorsTotal,
    sectorsWritten: written,
    sectorsErasedOnly: erasedOnly,
    sectorsSkipped: sectorsTotal - written - erasedOnly,
    writtenBytes: exec?.writtenBytes ?? 0,
    sentBytes: exec?.sentBytes ?? 0,
    expectedMd5,
    ...(verified !== undefined && { verifiedMd5: verified }),
    durationMs,
  };
}

/** Test helpers: a digest oracle over a simulated flash array, and applying a plan to it. */
import { createHash } from "node:crypto";
import { applyDigests, nextQueries, type FlashPlan, type ProbeState, type TargetRegion } from "../../src/plan/index.js";

/** Runs the probe loop against `flash` (indexed by flash address); returns the final state and round count. */
export function runProbe(state: ProbeState, flash: Uint8Array): { state: ProbeState; rounds: number } {
  let rounds = 0;
  for (let q = nextQueries(state); q.length > 0; q = nextQueries(state)) {
    const digests = q.map((x) => new Uint8Array(createHash("md5").update(flash.subarray(x.addr, x.addr + x.sizeBytes)).digest()));
    state = applyDigests(state, q, digests);
    rounds++;
  }
  return { state, rounds };
}

/** Applies `plan` to a copy of `flash` the way a chip would: write runs copy target bytes, erase runs set 0xFF. */
export function applyPlan(plan: FlashPlan, regions: readonly TargetRegion[], flash: Uint8Array): Uint8Array {
  const out = Uint8Array.from(flash);
  for (const run of plan.regions.flatMap((r) => r.runs)) {
    if (run.action === "erase") {
      out.fill(0xff, run.addr, run.addr + run.sizeBytes);
      continue;
    }
    const region = regions.find((r) => run.addr >= r.addr && run.addr + run.sizeBytes <= r.addr + r.data.length);
    if (region === undefined) throw new Error(`write run ${run.addr} outside every region`);
    out.set(region.data.subarray(run.addr - region.addr, run.addr - region.addr + run.sizeBytes), run.addr);
  }
  return out;
}

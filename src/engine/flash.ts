/**
 * `flash`: make the chip's flash equal to the images, writing only what differs.
 *
 * Order: security and image checks for the connected chip → probe the chip by digest (unless the
 * request rewrites everything) → plan → [dry run stops here] → erase the chip (`eraseAll`) → per
 * region: execute its runs and verify by the chip's digest → save the cache. Flash outside the
 * planned runs is never touched. A digest or run that fails with the chip still reachable is retried
 * once after a re-sync (recovery.ts); any other failure stops with what was written and a re-run hint.
 */
import { startProbe, type FlashPlan } from "../plan/index.js";
import { CacheSync } from "./cache-sync.js";
import { executeRegion, type RegionExecution } from "./execute-region.js";
import { fullWritePlan } from "./full-plan.js";
import { costModelFor } from "./link-cost.js";
import { chooseLoader } from "./loader-choice.js";
import { FlashProgress, interruptedError, regionLabel, stoppedError } from "./interrupt.js";
import { prepare } from "./prepare.js";
import { runProbeLoop } from "./probe-loop.js";
import { withRecovery } from "./recovery.js";
import { regionResult } from "./result.js";
import { elapsedMs } from "../util/elapsed.js";
import type { FlashRequest, FlashResult, RegionResult } from "./types.js";

/** Flashes `request.images` onto `request.device`; see the module comment. */
export async function flash(request: FlashRequest): Promise<FlashResult> {
  const started = performance.now();
  const emit = request.onEvent ?? ((): void => undefined);
  // Failed digests and runs are retried once after a re-sync (recovery.ts).
  const device = withRecovery(request.device, emit);
  const prepared = prepare(device, request.images, { op: "flash", noDelta: request.noDelta, eraseAll: request.eraseAll, force: request.force });
  const regions = prepared.images.regions;
  let mode = prepared.mode;
  /** Writes go through the ROM without uploading the stub (loader-choice.ts). */
  let viaRom = false;
  const verifyOn = mode.digests && request.noVerify !== true;
  const dryRun = request.dryRun === true;
  const cost = costModelFor(request, device, mode.compressed);
  const stopRequested = (): boolean => request.signal?.aborted === true;

  if (!mode.digests) emit({ type: "warning", message: "Secure Download Mode: the chip cannot compute digests, so every region is written whole and nothing is verified" });
  else if (request.noVerify === true) emit({ type: "warning", message: "--no-verify: what is written is not checked with the chip's digest, and the digest cache is not updated for it" });

  const cache = new CacheSync(request.cache, device.chip.mac, emit);
  let plan: FlashPlan;
  let digestQueries = 0;
  if (request.noDelta === true || request.eraseAll === true || !mode.digests) {
    await cache.load();
    plan = fullWritePlan(regions, cost);
  } else {
    const entries = await cache.load();
    const start = startProbe(regions, { cost, cache: entries, mac: device.chip.mac });
    const progress = new FlashProgress(0);
    const probed = await runProbeLoop(device, start, emit, () => {
      if (stopRequested()) throw interruptedError(progress);
    });
    digestQueries += probed.queries;
    const choice = chooseLoader(probed.state, device, mode, { planOptions: request.planOptions, writeLoader: request.writeLoader });
    plan = choice.plan;
    mode = choice.mode;
    viaRom = choice.viaRom;
  }
  emit({ type: "plan", plan });

  const results: RegionResult[] = [];
  const totals = { writtenBytes: 0, sentBytes: 0, digestQueries, erasedBytes: 0, rewrites: 0 };
  const finish = (): FlashResult => ({ ok: true, dryRun, regions: results, plan, totals: { ...totals, durationMs: elapsedMs(started) } });

  if (dryRun) {
    regions.forEach((region, i) => results.push(regionResult(region, plan.regions[i] as FlashPlan["regions"][number], undefined, 0)));
    return finish();
  }

  const progress = new FlashProgress(plan.totals.writeBytes);
  try {
    if (request.eraseAll === true) {
      if (stopRequested()) throw interruptedError(progress);
      emit({ type: "erase", region: -1, addr: 0, sizeBytes: device.chip.flashSizeBytes });
      progress.erased = "chip";
      cache.chipErased();
      await device.eraseAll();
    }
    for (const [i, region] of regions.entries()) {
      const regionPlan = plan.regions[i] as FlashPlan["regions"][number];
      const label = regionLabel(region.sourcePath, region.addr);
      const regionStarted = performance.now();
      const writeBytes = regionPlan.runs.reduce((s, r) => s + (r.action === "write" ? r.sizeBytes : 0), 0);
      const exec: RegionExecution = await executeRegion(
        { device, mode, viaRom, index: i, regionAddr: region.addr, data: region.data, regionLabel: label, progress, onEvent: emit, shouldStop: stopRequested, regionWrite: { doneBytes: 0, totalBytes: writeBytes } },
        { plan: regionPlan, verify: verifyOn },
      );
      // A skipped region was proven equal by the probe's digests; a written one by its verification.
      const proven = regionPlan.outcome === "skip" ? mode.digests : exec.verifiedMd5 !== undefined;
      if (proven) cache.proven(region);
      else cache.unverified(region);
      totals.writtenBytes += exec.writtenBytes;
      totals.sentBytes += exec.sentBytes;
      totals.digestQueries += exec.digestQueries;
      totals.rewrites += exec.rewrites;
      totals.erasedBytes += regionPlan.runs.reduce((s, r) => s + (r.action === "erase" ? r.sizeBytes : 0), 0);
      const result = regionResult(region, regionPlan, exec, elapsedMs(regionStarted), regionPlan.outcome === "skip" && verifyOn);
      results.push(result);
      progress.finished.push(label);
      progress.current = undefined;
      emit({ type: "region-done", region: i, result });
    }
  } catch (err) {
    throw stoppedError(err, progress);
  } finally {
    // Also after a failure: what was proven before it is worth remembering.
    await cache.save();
  }
  return finish();
}

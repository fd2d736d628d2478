/**
 * Carrying out one planned run on the chip: a write run goes compressed (when that is smaller)
 * through the Device's begin/block/end write, an erase-only run through ERASE_REGION — or, where only
 * the ROM answers (no stub), as a write of its 0xFF bytes, which erases the same sectors.
 */
import { EspsyncError, hex32, WriteInterruptedError } from "../errors.js";
import type { PlanRun } from "../plan/index.js";
import type { Device } from "../protocol/device.js";
import { compressRun } from "./compress.js";
import { interruptedError, type FlashProgress } from "./interrupt.js";
import type { SecurityMode } from "./security.js";
import type { FlashEvent } from "./types.js";

/** Everything a run needs besides the run itself. */
export interface RunContext {
  readonly device: Device;
  readonly mode: SecurityMode;
  /** Write through the ROM loader, never uploading the stub (loader-choice.ts). */
  readonly viaRom?: boolean;
  /** Region index, for events. */
  readonly index: number;
  /** Region start and target bytes; runs are sliced from them. */
  readonly regionAddr: number;
  readonly data: Uint8Array;
  readonly regionLabel: string;
  readonly progress: FlashProgress;
  readonly onEvent: (e: FlashEvent) => void;
  /** True once the caller asked to stop (Ctrl-C). */
  readonly shouldStop: () => boolean;
  /** Bytes of this region written before the current run, and the region's planned write bytes. */
  readonly regionWrite: { doneBytes: number; totalBytes: number };
}

/** What a run cost. */
export interface RunStats {
  readonly writtenBytes: number;
  readonly sentBytes: number;
}

/** The target bytes of `run` (a view into the region's data). Throws INTERNAL outside the region. */
export function runBytes(ctx: Pick<RunContext, "regionAddr" | "data" | "regionLabel">, run: PlanRun): Uint8Array {
  const offset = run.addr - ctx.regionAddr;
  if (offset < 0 || run.sizeBytes <= 0 || offset + run.sizeBytes > ctx.data.length) {
    // The engine never touches flash outside the planned regions.
    throw new EspsyncError("INTERNAL", `planned run ${hex32(run.addr)}..${hex32(run.addr + run.sizeBytes)} lies outside ${ctx.regionLabel}`, {
      hint: "This is a bug in the planner; please report it with the command line used.",
    });
  }
  return ctx.data.subarray(offset, offset + run.sizeBytes);
}

/** Executes `run`; throws INTERRUPTED when stopped at a block boundary. */
export async function executeRun(ctx: RunContext, run: PlanRun): Promise<RunStats> {
  const data = runBytes(ctx, run);
  if (ctx.shouldStop()) throw interruptedError(ctx.progress);
  if (run.action === "erase" && ctx.mode.eraseRegion) {
    ctx.onEvent({ type: "erase", region: ctx.index, addr: run.addr, sizeBytes: run.sizeBytes });
    if (ctx.progress.erased === "none") ctx.progress.erased = "erase";
    await ctx.device.eraseRegion(run.addr, run.sizeBytes);
    ctx.progress.current = { label: ctx.regionLabel, doneUpTo: run.addr + run.sizeBytes };
    return { writtenBytes: 0, sentBytes: 0 };
  }
  const compressed = ctx.mode.compressed ? compressRun(data) : undefined;
  const base = ctx.regionWrite.doneBytes;
  // Until the run completes, a failure reports the run as started and how far the chip acknowledged it.
  ctx.progress.current = { label: ctx.regionLabel, doneUpTo: run.addr };
  if (ctx.progress.erased === "none") ctx.progress.erased = "erase";
  const onProgress = (doneBytes: number): void => {
    ctx.progress.current = { label: ctx.regionLabel, doneUpTo: run.addr + doneBytes };
    ctx.onEvent({ type: "write", region: ctx.index, addr: run.addr, doneBytes: base + doneBytes, totalBytes: ctx.regionWrite.totalBytes });
  };
  // An event at the run's start, before its first block is acknowledged, so that a listener knows
  // which run is in flight (Ctrl-C names it at once).
  ctx.onEvent({ type: "write", region: ctx.index, addr: run.addr, doneBytes: base, totalBytes: ctx.regionWrite.totalBytes });
  try {
    const stats = await ctx.device.write(run.addr, data, { ...(compressed !== undefined && { compressed }), onProgress, shouldStop: ctx.shouldStop, ...(ctx.viaRom === true && { viaRom: true }) });
    ctx.progress.writtenBytes += stats.writtenBytes;
    ctx.progress.current = { label: ctx.regionLabel, doneUpTo: run.addr + run.sizeBytes };
    ctx.regionWrite.doneBytes += stats.writtenBytes;
    return { writtenBytes: stats.writtenBytes, sentBytes: stats.sentBytes };
  } catch (err) {
    if (err instanceof WriteInterruptedError) {
      ctx.progress.writtenBytes += err.writtenBytes;
      ctx.progress.current = { label: ctx.regionLabel, doneUpTo: run.addr + err.writtenBytes };
      throw interruptedError(ctx.progress, err);
    }
    // What the chip acknowledged before the failure is on the flash: the stop message must not say
    // "nothing was written" after blocks of this run were acknowledged.
    ctx.progress.writtenBytes += ctx.progress.current.doneUpTo - run.addr;
    throw err;
  }
}

/**
 * One region from plan to proof: execute its runs, then verify with the chip's digest.
 *
 * Verification reads flash once in the good case: the whole-region digest proves every run inside it
 * (and that nothing else in the region differs). Only when it mismatches are the runs digested one by
 * one (pipelined) to find the bad ones; each bad run is rewritten once. A region that still mismatches
 * although every run matches (the probe was wrong about an unwritten sector) is rewritten whole once.
 * Anything still wrong after its one rewrite fails with VerifyError naming the range and both digests.
 */
import { VerifyError } from "../errors.js";
import { md5Hex, type PlanRun, type RegionPlan } from "../plan/index.js";
import { toHex } from "../util/hex.js";
import { executeRun, runBytes, type RunContext } from "./execute-run.js";

/** What executing a region did. */
export interface RegionExecution {
  readonly writtenBytes: number;
  readonly sentBytes: number;
  /** Digests asked to verify. */
  readonly digestQueries: number;
  /** Runs written a second time after a failed verification. */
  readonly rewrites: number;
  /** The chip's final digest of the region (hex), when verified. */
  readonly verifiedMd5: string | undefined;
}

/** Options beyond the run context. */
export interface RegionOptions {
  readonly plan: RegionPlan;
  /** Check with the chip's digest (off with --no-verify and in Secure Download Mode). */
  readonly verify: boolean;
}

/** Executes the region's planned runs and verifies them. Skip regions do nothing here. */
export async function executeRegion(ctx: RunContext, options: RegionOptions): Promise<RegionExecution> {
  const { plan } = options;
  let writtenBytes = 0;
  let sentBytes = 0;
  let digestQueries = 0;
  let rewrites = 0;
  const run = async (r: PlanRun): Promise<void> => {
    const s = await executeRun(ctx, r);
    writtenBytes += s.writtenBytes;
    sentBytes += s.sentBytes;
  };
  const chipMd5 = async (r: { addr: number; sizeBytes: number }[]): Promise<string[]> => {
    digestQueries += r.length;
    return (await ctx.device.md5Many(r)).map(toHex);
  };
  const range = (r: { addr: number; sizeBytes: number }): { addr: number; sizeBytes: number } => ({ addr: r.addr, sizeBytes: r.sizeBytes });
  const region = range(plan);
  const expected = md5Hex(ctx.data);
  const report = (r: { addr: number; sizeBytes: number }, ok: boolean): void => {
    ctx.onEvent({ type: "verify", region: ctx.index, addr: r.addr, sizeBytes: r.sizeBytes, ok });
  };

  for (const r of plan.runs) await run(r);
  if (!options.verify || plan.runs.length === 0) return { writtenBytes, sentBytes, digestQueries, rewrites, verifiedMd5: undefined };

  let [actual] = await chipMd5([region]);
  report(region, actual === expected);
  if (actual === expected) return { writtenBytes, sentBytes, digestQueries, rewrites, verifiedMd5: actual };

  // Find the runs that explain the mismatch (a region written whole in one run is its own run).
  const wholeRun = plan.runs.length === 1 && plan.runs[0]?.sizeBytes === plan.sizeBytes;
  let bad: PlanRun[] = [...plan.runs];
  if (!wholeRun) {
    const digests = await chipMd5(plan.runs.map(range));
    bad = plan.runs.filter((r, k) => {
      const ok = digests[k] === md5Hex(runBytes(ctx, r));
      report(r, ok);
      return !ok;
    });
  }
  // Rewrite once: the bad runs, or the whole region when no run explains the mismatch.
  const again: PlanRun[] = bad.length > 0 ? bad : [{ addr: plan.addr, sizeBytes: plan.sizeBytes, action: "write" }];
  for (const r of again) {
    rewrites++;
    if (r.action === "write") ctx.regionWrite.totalBytes += r.sizeBytes;
    await run(r);
  }
  const coversRegion = again.length === 1 && again[0]?.sizeBytes === plan.sizeBytes;
  const recheck = coversRegion ? [region] : [...again.map(range), region];
  const after = await chipMd5(recheck);
  for (const [k, r] of recheck.entries()) {
    const want = md5Hex(runBytes(ctx, { ...r, action: "write" }));
    report(r, after[k] === want);
    if (after[k] !== want) throw new VerifyError(r.addr, r.sizeBytes, want, after[k] as string);
  }
  actual = after[after.length - 1];
  return { writtenBytes, sentBytes, digestQueries, rewrites, verifiedMd5: actual };
}

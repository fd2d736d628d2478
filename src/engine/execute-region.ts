/**
 * One region from plan to proof: execute its runs, then verify with the chip's digests.
 *
 * The proof obligation: every sector of the region is either proven equal by a chip digest taken
 * before the write (the probe's whole-region, block or sector digests, or a whole-region digest equal
 * to a cached one whose per-sector digests the cache holds), or written and then proven by a chip
 * digest taken after. So the runs alone are digested after writing (one pipelined `md5Many`), and the
 * untouched rest of the region is not read a second time. A whole-region digest is taken instead when
 * the runs cover (nearly) all of it — it reads about as much and needs one round trip — or when some
 * sector outside the runs was not proven equal (a planner inconsistency: then only the whole region
 * proves anything).
 *
 * A mismatch: the runs are digested one by one (pipelined) to find the bad ones — they already are in
 * the runs-only mode — and each bad run is rewritten once. A region that still mismatches although
 * every run matches (the probe was wrong about an unwritten sector) is rewritten whole once. Anything
 * still wrong after its one rewrite fails with VerifyError naming the range and both digests.
 */
import { VerifyError } from "../errors.js";
import { md5Hex, type PlanRun, type RegionPlan } from "../plan/index.js";
import { toHex } from "../util/hex.js";
import { SECTOR_SIZE_BYTES } from "../util/sectors.js";
import { executeRun, runBytes, type RunContext } from "./execute-run.js";

/** What executing a region did. */
export interface RegionExecution {
  readonly writtenBytes: number;
  readonly sentBytes: number;
  /** Digests asked to verify. */
  readonly digestQueries: number;
  /** Runs written a second time after a failed verification. */
  readonly rewrites: number;
  /**
   * MD5 (hex) of the region as the chip's digests proved it after the write: the chip's whole-region
   * digest, or — when only the runs were digested — the target's digest, which the run digests and
   * the probe's digests of every other sector prove together. Absent when not verified.
   */
  readonly verifiedMd5: string | undefined;
}

/** Options beyond the run context. */
export interface RegionOptions {
  readonly plan: RegionPlan;
  /** Check with the chip's digest (off with --no-verify and in Secure Download Mode). */
  readonly verify: boolean;
}

/** Share of the region the runs must cover before one whole-region digest replaces the run digests. */
export const WHOLE_VERIFY_FRACTION = 0.9;

type Range = { addr: number; sizeBytes: number };

/**
 * True when every sector outside the runs was proven equal by a digest before the write: the plan
 * lists the sectors it found differing or never probed, and each of them must lie inside a run.
 */
export function unwrittenSectorsProven(plan: RegionPlan): boolean {
  const covered = new Uint8Array(plan.sizeBytes / SECTOR_SIZE_BYTES);
  for (const r of plan.runs) covered.fill(1, (r.addr - plan.addr) / SECTOR_SIZE_BYTES, (r.addr - plan.addr + r.sizeBytes) / SECTOR_SIZE_BYTES);
  return [...plan.differingSectors, ...plan.unknownSectors].every((i) => covered[i] === 1);
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
  const chipMd5 = async (r: Range[]): Promise<string[]> => {
    digestQueries += r.length;
    return (await ctx.device.md5Many(r)).map(toHex);
  };
  const range = (r: Range): Range => ({ addr: r.addr, sizeBytes: r.sizeBytes });
  const want = (r: Range): string => md5Hex(runBytes(ctx, { ...r, action: "write" }));
  const region = range(plan);
  const expected = md5Hex(ctx.data);
  const report = (r: Range, ok: boolean): void => {
    ctx.onEvent({ type: "verify", region: ctx.index, addr: r.addr, sizeBytes: r.sizeBytes, ok });
  };
  const done = (verifiedMd5: string | undefined): RegionExecution => ({ writtenBytes, sentBytes, digestQueries, rewrites, verifiedMd5 });
  const rewrite = async (again: readonly PlanRun[]): Promise<void> => {
    for (const r of again) {
      rewrites++;
      if (r.action === "write") ctx.regionWrite.totalBytes += r.sizeBytes;
      await run(r);
    }
  };

  for (const r of plan.runs) await run(r);
  if (!options.verify || plan.runs.length === 0) return done(undefined);

  const runBytesTotal = plan.runs.reduce((s, r) => s + r.sizeBytes, 0);
  const wholeRun = plan.runs.length === 1 && runBytesTotal === plan.sizeBytes;
  if (!wholeRun && runBytesTotal < WHOLE_VERIFY_FRACTION * plan.sizeBytes && unwrittenSectorsProven(plan)) {
    // Runs only: the rest of the region was proven equal before the write and no run touches it.
    const digests = await chipMd5(plan.runs.map(range));
    const bad = plan.runs.filter((r, k) => {
      const ok = digests[k] === want(r);
      report(r, ok);
      return !ok;
    });
    if (bad.length === 0) return done(expected);
    await rewrite(bad);
    const after = await chipMd5(bad.map(range));
    for (const [k, r] of bad.entries()) {
      report(r, after[k] === want(r));
      if (after[k] !== want(r)) throw new VerifyError(r.addr, r.sizeBytes, want(r), after[k] as string);
    }
    return done(expected);
  }

  const [actual] = await chipMd5([region]);
  report(region, actual === expected);
  if (actual === expected) return done(actual);

  // Find the runs that explain the mismatch (a region written whole in one run is its own run).
  let bad: PlanRun[] = [...plan.runs];
  if (!wholeRun) {
    const digests = await chipMd5(plan.runs.map(range));
    bad = plan.runs.filter((r, k) => {
      const ok = digests[k] === want(r);
      report(r, ok);
      return !ok;
    });
  }
  // Rewrite once: the bad runs, or the whole region when no run explains the mismatch.
  const again: PlanRun[] = bad.length > 0 ? bad : [{ addr: plan.addr, sizeBytes: plan.sizeBytes, action: "write" }];
  await rewrite(again);
  const coversRegion = again.length === 1 && again[0]?.sizeBytes === plan.sizeBytes;
  const recheck = coversRegion ? [region] : [...again.map(range), region];
  const after = await chipMd5(recheck);
  for (const [k, r] of recheck.entries()) {
    report(r, after[k] === want(r));
    if (after[k] !== want(r)) throw new VerifyError(r.addr, r.sizeBytes, want(r), after[k] as string);
  }
  return done(after[after.length - 1]);
}

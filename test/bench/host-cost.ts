/**
 * Host-side cost of espsync itself: CPU of planning and compressing, and memory, for image sets of
 * 1, 2 and 4 MiB — each in a fresh child process (`host-cost-child.js`) so its memory is its own.
 * Measured figures: they vary from run to run and machine to machine.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One child's report. */
export interface HostCostSample {
  readonly sizeMiB: number;
  readonly setBytes: number;
  /** The first flash in the process (cold JIT, what one CLI invocation pays). */
  readonly first: { readonly cpuMs: number; readonly planMs: number; readonly compressMs: number };
  /** The cheapest of three flashes in the process (warm JIT). */
  readonly best: { readonly cpuMs: number; readonly planMs: number; readonly compressMs: number };
  readonly memory: {
    readonly baselineRssMiB: number;
    readonly peakSampledRssMiB: number;
    /** Peak sampled RSS during the flash minus the RSS just before it: the engine's own footprint. */
    readonly engineRssGrowthMiB: number;
    readonly peakHeapExternalGrowthMiB: number;
    /** Peak resident set of the whole child process (images, simulated chip contents included). */
    readonly maxRssMiB: number;
  };
}

/** All sizes plus the growth per MiB of image between the smallest and the largest. */
export interface HostCostReport {
  /** Per size, the child (of {@link CHILDREN_PER_SIZE}) with the median first-run CPU. */
  readonly samples: readonly HostCostSample[];
  /** First-run CPU of every child per size, for the spread. */
  readonly firstRunCpuMs: readonly (readonly number[])[];
  /** (maxRss(largest) − maxRss(smallest)) / (size difference), MiB per MiB; harness buffers included. */
  readonly maxRssGrowthPerMiB: number;
  /** Same for the engine's own RSS growth during the flash. */
  readonly engineGrowthPerMiB: number;
}

/** Fresh processes per size: their median is reported (CPU time still varies with machine load). */
export const CHILDREN_PER_SIZE = 3;

/** The compiled child script beside this module, or undefined when not built (running from source). */
export function childScript(): string | undefined {
  const file = fileURLToPath(new URL("./host-cost-child.js", import.meta.url));
  return existsSync(file) ? file : undefined;
}

/** Runs the child for each size in `sizesMiB`. */
export function measureHostCost(sizesMiB: readonly number[] = [1, 2, 4]): HostCostReport {
  const script = childScript();
  if (script === undefined) throw new Error("host-cost-child.js is not built; run `npm run build` first");
  const perSize = sizesMiB.map((size) =>
    Array.from({ length: CHILDREN_PER_SIZE }, () => {
      const out = execFileSync(process.execPath, ["--expose-gc", script, String(size)], { encoding: "utf8", timeout: 120_000 });
      return JSON.parse(out.trim().split("\n").pop() ?? "{}") as HostCostSample;
    }).sort((a, b) => a.first.cpuMs - b.first.cpuMs),
  );
  const samples = perSize.map((runs) => runs[Math.floor(runs.length / 2)] as HostCostSample);
  const lo = samples[0] as HostCostSample;
  const hi = samples[samples.length - 1] as HostCostSample;
  const span = hi.sizeMiB - lo.sizeMiB || 1;
  return {
    samples,
    firstRunCpuMs: perSize.map((runs) => runs.map((r) => r.first.cpuMs)),
    maxRssGrowthPerMiB: (hi.memory.maxRssMiB - lo.memory.maxRssMiB) / span,
    engineGrowthPerMiB: (hi.memory.engineRssGrowthMiB - lo.memory.engineRssGrowthMiB) / span,
  };
}

/**
 * Plain-text rendering of the benchmark: one table per scenario (every profile and strategy plus the
 * floor row), the target checks, and the host-cost table. Host CPU columns are measured; every other
 * figure comes from the simulator's virtual clock and counters and repeats exactly.
 */
import type { BenchResults, ProfileResult } from "./bench.js";
import type { HostCostReport } from "./host-cost.js";
import type { TargetCheck } from "./targets.js";

const KIB = 1024;

/** A byte count in a few characters: `1.64M`, `416K`, `512`. */
export function bytes(n: number): string {
  if (n >= 1024 * KIB) return `${(n / 1024 / KIB).toFixed(2)}M`;
  if (n >= 10 * KIB) return `${(n / KIB).toFixed(0)}K`;
  return String(n);
}

/** One table row: the first two cells left-aligned, the rest right-aligned, the last one free. */
export function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : i <= 1 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
}

const HEAD = ["profile", "strategy", "time s", "x full", "x rskip", "x floor", "to chip", "from chip", "cmds", "erased", "programmed", "cpu pre-wr ms*", "cpu wr ms*", "detail"];
const WIDTHS = [16, 15, 8, 7, 7, 7, 8, 9, 5, 6, 10, 14, 11, 0];

function rows(p: ProfileResult): string[] {
  const time = (s: string): number | undefined => p.runs.find((r) => r.strategy === s)?.modelledS;
  const full = time("full");
  const skip = time("region-skip");
  const ratio = (t: number, of: number | undefined): string => (of === undefined ? "" : (t / of).toFixed(3));
  const out = p.runs.map((r) =>
    pad(
      [
        p.profile,
        r.strategy,
        r.modelledS.toFixed(3),
        ratio(r.modelledS, full),
        ratio(r.modelledS, skip),
        ratio(r.modelledS, p.floor.timeS),
        bytes(r.bytesToChip),
        bytes(r.bytesFromChip),
        String(r.commands),
        String(r.sectorsErased),
        bytes(r.bytesProgrammed),
        (r.hostCpu.planUs / 1000).toFixed(1),
        (r.hostCpu.writeUs / 1000).toFixed(1),
        `${r.detail}, ${r.digestQueries} digests${r.endStateOk ? "" : "  END STATE WRONG"}`,
      ],
      WIDTHS,
    ),
  );
  const f = p.floor;
  out.push(
    pad(
      [
        p.profile,
        "floor",
        f.timeS.toFixed(3),
        ratio(f.timeS, full),
        ratio(f.timeS, skip),
        "1.000",
        bytes(f.payloadBytes),
        "",
        "",
        String(f.differingSectors),
        bytes((f.differingSectors - f.erasedSectors) * 4096),
        "",
        "",
        `connect ${f.connectS.toFixed(3)} + digest ${f.digestS.toFixed(3)} + max(wire ${f.wireS.toFixed(3)}, erase ${f.eraseS.toFixed(3)} + program ${f.programS.toFixed(3)})`,
      ],
      WIDTHS,
    ),
  );
  return out;
}

/** The per-scenario tables. */
export function renderResults(results: BenchResults): string {
  const lines: string[] = [];
  lines.push("Modelled on the virtual chip (deterministic virtual clock). * = host CPU, measured (varies run to run).");
  lines.push("time s: modelled wall time incl. connect + stub upload; to/from chip: raw wire bytes; erased: 4 KiB units (a block = 16).");
  lines.push("cpu pre-wr / wr: host CPU outside Device calls before the first write or erase (probe, plan; esptool-style: first deflate) / from it on (deflate, verify hashing).");
  for (const s of results.scenarios) {
    lines.push("");
    lines.push(`== ${s.id}: ${s.title}  (target ${bytes(s.targetBytes)}B, ${s.differingSectors} of ${s.targetBytes / 4096} sectors differ)`);
    lines.push(pad(HEAD, WIDTHS));
    for (const p of s.profiles) lines.push(...rows(p));
  }
  for (const k of results.skipped) lines.push("", `SKIPPED ${k.id}: ${k.title} — ${k.reason}`);
  return lines.join("\n");
}

/** The ratio summary: espsync over full, region-skip and floor, per scenario and profile. */
export function renderRatios(results: BenchResults): string {
  const lines = ["", "Ratios (modelled time): espsync / full, / region-skip, / floor"];
  lines.push(pad(["scenario", "profile", "cold/full", "cold/rskip", "cold/floor", "warm/full", "warm/rskip", "warm/floor", ""], [16, 16, 10, 10, 10, 10, 10, 10, 0]));
  for (const s of results.scenarios) {
    for (const p of s.profiles) {
      const r = p.ratios;
      if (r === undefined) continue;
      const v = [r.coldVsFull, r.coldVsRegionSkip, r.coldVsFloor, r.warmVsFull, r.warmVsRegionSkip, r.warmVsFloor].map((x) => x.toFixed(3));
      lines.push(pad([s.id, p.profile, ...v, ""], [16, 16, 10, 10, 10, 10, 10, 10, 0]));
    }
  }
  return lines.join("\n");
}

/** PASS / MISS / SKIP per target. */
export function renderTargets(checks: readonly TargetCheck[]): string {
  const lines = ["", "Targets (one run):"];
  for (const c of checks) {
    const where = [c.scenario, c.profile].filter(Boolean).join(" / ");
    const value = c.value === undefined ? "" : `${c.value.toFixed(3)} (limit ${c.limit})`;
    lines.push(`  ${c.status.padEnd(4)}  ${c.description}${where ? ` [${where}]` : ""}  ${value}${c.note ? `  — ${c.note}` : ""}`);
  }
  const miss = checks.filter((c) => c.status === "MISS").length;
  const pass = checks.filter((c) => c.status === "PASS").length;
  lines.push(`  ${pass} PASS, ${miss} MISS, ${checks.length - pass - miss} SKIP`);
  return lines.join("\n");
}

/** The host-cost table. */
export function renderHostCost(host: HostCostReport | undefined, skippedBecause?: string): string {
  if (host === undefined) return `\nHost cost: not measured${skippedBecause ? ` (${skippedBecause})` : ""}`;
  const lines = ["", "Host cost (measured; engine flashing a set whose every sector differs onto an in-memory chip; median of 3 fresh processes):"];
  const w = [8, 18, 8, 9, 11, 12, 12, 15, 14, 0];
  lines.push(pad(["set", "cpu ms 1st run", "plan", "compress", "cpu ms best", "rss base MiB", "rss peak MiB", "engine rss MiB", "heap+ext MiB", ""], w));
  host.samples.forEach((s, i) => {
    const spread = (host.firstRunCpuMs[i] ?? []).map((x) => x.toFixed(0)).join("/");
    lines.push(
      pad(
        [
          `${s.sizeMiB} MiB`,
          `${s.first.cpuMs.toFixed(1)} (${spread})`,
          s.first.planMs.toFixed(1),
          s.first.compressMs.toFixed(1),
          s.best.cpuMs.toFixed(1),
          s.memory.baselineRssMiB.toFixed(1),
          s.memory.maxRssMiB.toFixed(1),
          s.memory.engineRssGrowthMiB.toFixed(1),
          s.memory.peakHeapExternalGrowthMiB.toFixed(1),
          "",
        ],
        w,
      ),
    );
  });
  lines.push(`growth per MiB of image: peak RSS ${host.maxRssGrowthPerMiB.toFixed(2)} MiB/MiB (harness holds ~4 copies: two builds, two flash images), engine RSS ${host.engineGrowthPerMiB.toFixed(2)} MiB/MiB`);
  return lines.join("\n");
}

/**
 * The targets, checked against one run's figures. The limits are the numbers and
 * are not to be relaxed here: a miss is reported as a miss.
 */
import type { BenchResults, ProfileResult, ScenarioResult } from "./bench.js";
import type { HostCostReport } from "./host-cost.js";

/** The limits, as the issue states them. */
export const TARGETS = {
  /** Nothing changed (1.7 MiB real image): espsync ≤ 0.1 × full … */
  unchangedVsFull: 0.1,
  /** … and within 10 % of the floor. */
  unchangedVsFloor: 1.1,
  /** Rebuild / few sectors changed: ≤ 0.15 × full, ≤ 0.2 × region-skip, ≤ 1.3 × floor. */
  fewVsFull: 0.15,
  fewVsRegionSkip: 0.2,
  fewVsFloor: 1.3,
  /** Everything different: ≤ 1.05 × full. */
  allDifferentVsFull: 1.05,
  /** Planning + compressing a 4 MiB image set, CPU milliseconds. */
  hostCpuMs: 300,
  /** Peak memory of that, MiB. */
  hostPeakMiB: 200,
} as const;

/** One check. */
export interface TargetCheck {
  readonly description: string;
  readonly scenario?: string;
  readonly profile?: string;
  readonly value?: number;
  readonly limit: number;
  readonly status: "PASS" | "MISS" | "SKIP";
  readonly note?: string;
}

function check(description: string, value: number, limit: number, where: { scenario?: string; profile?: string } = {}): TargetCheck {
  return { description, ...where, value, limit, status: value <= limit ? "PASS" : "MISS" };
}

function perProfile(s: ScenarioResult, f: (p: ProfileResult, where: { scenario: string; profile: string }) => TargetCheck[]): TargetCheck[] {
  return s.profiles.flatMap((p) => f(p, { scenario: s.id, profile: p.profile }));
}

/** Every check for `results` (and `host` when measured). */
export function checkTargets(results: BenchResults, host: HostCostReport | undefined): TargetCheck[] {
  const out: TargetCheck[] = [];
  const groups = new Set(results.scenarios.map((s) => s.group));
  for (const s of results.scenarios) {
    if (s.group === "unchanged-real") {
      out.push(
        ...perProfile(s, (p, w) =>
          p.ratios === undefined
            ? []
            : [
                check("nothing changed: espsync (cold) / full", p.ratios.coldVsFull, TARGETS.unchangedVsFull, w),
                check("nothing changed: espsync (warm) / full", p.ratios.warmVsFull, TARGETS.unchangedVsFull, w),
                check("nothing changed: espsync (cold) / floor", p.ratios.coldVsFloor, TARGETS.unchangedVsFloor, w),
                check("nothing changed: espsync (warm) / floor", p.ratios.warmVsFloor, TARGETS.unchangedVsFloor, w),
              ],
        ),
      );
    } else if (s.group === "few-sectors") {
      out.push(
        ...perProfile(s, (p, w) =>
          p.ratios === undefined
            ? []
            : (["cold", "warm"] as const).flatMap((k) => {
                const r = p.ratios as NonNullable<ProfileResult["ratios"]>;
                const [vsFull, vsSkip, vsFloor] = k === "cold" ? [r.coldVsFull, r.coldVsRegionSkip, r.coldVsFloor] : [r.warmVsFull, r.warmVsRegionSkip, r.warmVsFloor];
                return [
                  check(`few sectors: espsync (${k}) / full`, vsFull, TARGETS.fewVsFull, w),
                  check(`few sectors: espsync (${k}) / region-skip`, vsSkip, TARGETS.fewVsRegionSkip, w),
                  check(`few sectors: espsync (${k}) / floor`, vsFloor, TARGETS.fewVsFloor, w),
                ];
              }),
        ),
      );
    } else if (s.group === "all-different") {
      out.push(
        ...perProfile(s, (p, w) =>
          p.ratios === undefined
            ? []
            : [check("everything different: espsync (cold) / full", p.ratios.coldVsFull, TARGETS.allDifferentVsFull, w), check("everything different: espsync (warm) / full", p.ratios.warmVsFull, TARGETS.allDifferentVsFull, w)],
        ),
      );
    }
  }
  if (!groups.has("unchanged-real")) {
    const why = results.skipped.find((k) => k.id === "mp-unchanged")?.reason ?? "scenario not run";
    out.push({ description: "nothing changed (1.7 MiB real image)", limit: TARGETS.unchangedVsFull, status: "SKIP", note: why });
  }
  const four = host?.samples.find((x) => x.sizeMiB === 4);
  if (four === undefined) {
    out.push({ description: "host: plan + compress 4 MiB set, CPU ms", limit: TARGETS.hostCpuMs, status: "SKIP", note: "host cost not measured" });
  } else {
    out.push(check("host: plan + compress 4 MiB set, CPU ms (first run in a process)", four.first.cpuMs, TARGETS.hostCpuMs));
    out.push(check("host: peak RSS flashing a 4 MiB set, MiB", four.memory.maxRssMiB, TARGETS.hostPeakMiB));
  }
  return out;
}

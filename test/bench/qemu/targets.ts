/**
 * The targets for the QEMU benchmark, checked against one run's wall times. The limits are
 * the numbers and are not to be relaxed here: a miss is reported as a miss. A check whose
 * runs are missing or invalid is a SKIP with the reason.
 */
import type { StrategyName } from "../strategies.js";
import type { TargetCheck } from "../targets.js";
import type { QemuScenarioResult } from "./bench.js";
import type { SkippedQemuScenario } from "./scenarios.js";

/** One target: `strategy`'s time in `scenario` over `of`'s (the full write or the floor) ≤ `limit`. */
export interface QemuTarget {
  readonly scenario: string;
  readonly strategy: StrategyName;
  readonly of: "full" | "floor";
  readonly limit: number;
}

/** The limits, as the issue states them. */
export const QEMU_TARGETS: readonly QemuTarget[] = [
  { scenario: "rebuild", strategy: "espsync (cold)", of: "full", limit: 0.18 },
  { scenario: "rebuild", strategy: "espsync (cold)", of: "floor", limit: 1.15 },
  { scenario: "rebuild", strategy: "espsync (warm)", of: "full", limit: 0.12 },
  { scenario: "unchanged", strategy: "espsync (cold)", of: "full", limit: 0.12 },
  { scenario: "unchanged", strategy: "espsync (warm)", of: "full", limit: 0.09 },
  { scenario: "idf-hello-unchanged", strategy: "espsync (cold)", of: "full", limit: 0.35 },
  { scenario: "all-different", strategy: "espsync (cold)", of: "full", limit: 1.03 },
];

/** The reference time of `of` in `s`, or why there is none. */
function reference(s: QemuScenarioResult, of: QemuTarget["of"]): number | string {
  if (of === "floor") return s.floor?.timeS ?? "floor not measured";
  const full = s.runs.find((r) => r.strategy === "full");
  if (full === undefined) return "full not run";
  return full.valid ? full.seconds : `full invalid: ${full.error}`;
}

/** Every target, checked against `results` (`skipped` says why a scenario has none). */
export function checkQemuTargets(results: readonly QemuScenarioResult[], skipped: readonly SkippedQemuScenario[] = []): TargetCheck[] {
  return QEMU_TARGETS.map((t) => {
    const description = `${t.strategy} / ${t.of}`;
    const skip = (note: string): TargetCheck => ({ description, scenario: t.scenario, limit: t.limit, status: "SKIP", note });
    const s = results.find((x) => x.id === t.scenario);
    if (s === undefined) return skip(skipped.find((k) => k.id === t.scenario)?.reason ?? "scenario not run");
    const run = s.runs.find((r) => r.strategy === t.strategy);
    if (run === undefined) return skip(`${t.strategy} not run`);
    if (!run.valid) return skip(`${t.strategy} invalid: ${run.error}`);
    const of = reference(s, t.of);
    if (typeof of === "string") return skip(of);
    const value = run.seconds / of;
    return { description, scenario: t.scenario, value, limit: t.limit, status: value <= t.limit ? "PASS" : "MISS" };
  });
}

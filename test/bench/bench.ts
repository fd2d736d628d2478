/**
 * The benchmark as a function: for each scenario and link profile, the floor and every strategy's
 * run on the virtual chip, plus the ratios the issue asks for. `run.ts` prints it; the quick test
 * checks its structure.
 */
import { resolveTimingProfile } from "../../adapters/sim/timing.js";
import { finalizeForChip, type ConnectedChip } from "../../src/image/index.js";
import { computeFloor, type Floor } from "./floor.js";
import type { Scenario, SkippedScenario, TargetGroup } from "./scenarios.js";
import { imageSetOf, measureConnect, recordWarmCache, runStrategy, startFlash, type LinkProfile, type StrategyRun } from "./sim-run.js";
import { STRATEGIES, type StrategyName } from "./strategies.js";

/** The two link profiles of the issue. */
export const LINK_PROFILES: readonly LinkProfile[] = [
  { name: "usb-uart", baudRate: 921600 },
  { name: "usb-serial-jtag", baudRate: 921600 },
];

/** espsync's modelled time over another's. */
export interface Ratios {
  readonly coldVsFull: number;
  readonly coldVsRegionSkip: number;
  readonly coldVsFloor: number;
  readonly warmVsFull: number;
  readonly warmVsRegionSkip: number;
  readonly warmVsFloor: number;
}

/** One scenario on one profile. */
export interface ProfileResult {
  readonly profile: string;
  readonly baudRate: number;
  readonly floor: Floor;
  readonly runs: readonly StrategyRun[];
  /** Absent when a strategy was not run. */
  readonly ratios: Ratios | undefined;
}

/** One scenario. */
export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly group: TargetGroup;
  readonly targetBytes: number;
  readonly differingSectors: number;
  readonly profiles: readonly ProfileResult[];
}

/** Options of {@link runBench}. */
export interface BenchOptions {
  readonly scenarios: readonly Scenario[];
  readonly profiles?: readonly LinkProfile[];
  readonly strategies?: readonly StrategyName[];
  /** Progress lines (stderr in the CLI). */
  readonly log?: (line: string) => void;
}

/** The whole modelled part of the benchmark. */
export interface BenchResults {
  readonly scenarios: readonly ScenarioResult[];
  readonly skipped: readonly SkippedScenario[];
}

function timeOf(runs: readonly StrategyRun[], s: StrategyName): number | undefined {
  return runs.find((r) => r.strategy === s)?.modelledS;
}

function ratiosOf(runs: readonly StrategyRun[], floor: Floor): Ratios | undefined {
  const full = timeOf(runs, "full");
  const skip = timeOf(runs, "region-skip");
  const cold = timeOf(runs, "espsync (cold)");
  const warm = timeOf(runs, "espsync (warm)");
  if (full === undefined || skip === undefined || cold === undefined || warm === undefined) return undefined;
  return {
    coldVsFull: cold / full,
    coldVsRegionSkip: cold / skip,
    coldVsFloor: cold / floor.timeS,
    warmVsFull: warm / full,
    warmVsRegionSkip: warm / skip,
    warmVsFloor: warm / floor.timeS,
  };
}

/** Runs every scenario × profile × strategy. */
export async function runBench(o: BenchOptions): Promise<Omit<BenchResults, "skipped">> {
  const profiles = o.profiles ?? LINK_PROFILES;
  const strategies = o.strategies ?? STRATEGIES;
  const log = o.log ?? ((): void => undefined);
  const connects = new Map<string, number>();
  let chip: ConnectedChip | undefined;
  for (const p of profiles) {
    const m = await measureConnect(p);
    connects.set(p.name, m.connectS);
    chip = m.chip;
  }
  const results: ScenarioResult[] = [];
  for (const s of o.scenarios) {
    const start = imageSetOf(s.start, s.chip);
    const target = imageSetOf(s.target, s.chip);
    const contents = startFlash(start);
    const warmCache = strategies.includes("espsync (warm)") ? await recordWarmCache(start, contents, (profiles[0] as LinkProfile).baudRate) : undefined;
    const perProfile: ProfileResult[] = [];
    for (const p of profiles) {
      const runs: StrategyRun[] = [];
      for (const strategy of strategies) {
        log(`${s.id} / ${p.name} / ${strategy}`);
        runs.push(await runStrategy({ profile: p, strategy, contents, target, ...(warmCache && { warmCache }) }));
      }
      // The floor is of the regions as the engine writes them on this chip.
      const regions = finalizeForChip(target, chip as ConnectedChip).regions;
      const floor = computeFloor(resolveTimingProfile(p.name), p.baudRate, connects.get(p.name) as number, contents, regions);
      perProfile.push({ profile: p.name, baudRate: p.baudRate, floor, runs, ratios: ratiosOf(runs, floor) });
    }
    const f = (perProfile[0] as ProfileResult).floor;
    results.push({ id: s.id, title: s.title, group: s.group, targetBytes: f.targetBytes, differingSectors: f.differingSectors, profiles: perProfile });
  }
  return { scenarios: results };
}

/**
 * The QEMU benchmark as a function: for each scenario, the warm cache recorded (unmeasured), every
 * strategy timed over the same start content, and the floor measured, all on one emulated ESP32.
 * `run.ts` prints and saves it.
 */
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { differingSectors, imageSectors } from "../../qemu/firmware-images.js";
import type { QemuRig } from "../../qemu/qemu-rig.js";
import type { StrategyName } from "../strategies.js";
import { composeFloor, type FloorJob, type FloorTimes, type QemuFloor } from "./floor.js";
import { flashOf, type QemuScenario } from "./scenarios.js";
import { NO_WIRE, lastLine, timedSession, type TimedSession, type WireFigures } from "./session.js";
import { emptyCacheDir, floorSession, recordSession, strategySession } from "./strategies.js";

/** One strategy's run. */
export interface MeasuredRun {
  readonly strategy: StrategyName;
  /** Wall time of the whole command, spawn to exit. */
  readonly seconds: number;
  /** `seconds` over the full write's and over the floor's (absent when either is missing or invalid). */
  readonly vsFull?: number;
  readonly vsFloor?: number;
  /** Exited 0 and left the target in flash; an invalid run's seconds mean nothing. */
  readonly valid: boolean;
  readonly error?: string;
  readonly wire: WireFigures;
  readonly detail: string;
}

/** The floor's child session. The floor is the sum of its measured pieces, not this process's wall time. */
export interface FloorRun {
  readonly childSeconds: number;
  readonly valid: boolean;
  readonly error?: string;
  readonly wire: WireFigures;
}

/** The unmeasured session that recorded the warm cache. */
export interface WarmRecord {
  readonly valid: boolean;
  readonly error?: string;
  /** Sectors it wrote (0 expected: the chip already held what it flashed). */
  readonly sectorsWritten: number;
  readonly note?: string;
}

/** One scenario's figures. */
export interface QemuScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly targetSectors: number;
  readonly differingSectors: number;
  readonly runs: readonly MeasuredRun[];
  /** Absent when its session failed (see `floorRun`). */
  readonly floor?: QemuFloor;
  readonly floorRun: FloorRun;
  readonly warmRecord?: WarmRecord;
}

/** What {@link runScenario} needs besides the scenario. */
export interface ScenarioOptions {
  readonly strategies: readonly StrategyName[];
  /** The floor's start-up piece, seconds. */
  readonly startupS: number;
  /** Scratch space: cache directories, the floor's job file. */
  readonly workDir: string;
  readonly log: (line: string) => void;
}

function measured(strategy: StrategyName, t: TimedSession, detail: string): MeasuredRun {
  return { strategy, seconds: t.seconds, valid: t.valid, ...(t.error !== undefined && { error: t.error }), wire: t.wire, detail };
}

/** What a run says about itself: the region-skip child's JSON, else espsync's summary line. */
function detailOf(strategy: StrategyName, t: TimedSession): string {
  if (strategy !== "region-skip") return lastLine(t.session.stdout);
  try {
    return (JSON.parse(lastLine(t.session.stdout)) as { detail: string }).detail;
  } catch {
    return "";
  }
}

async function recordWarm(rig: QemuRig, s: QemuScenario, cacheDir: string): Promise<WarmRecord> {
  const t = await timedSession(rig, recordSession(s.warmFrom, cacheDir), flashOf(s.warmFrom), s.warmFrom);
  let error = t.error;
  if (error === undefined && !existsSync(path.join(cacheDir, "digests.json"))) error = "espsync recorded no digest cache";
  return { valid: error === undefined, ...(error !== undefined && { error }), sectorsWritten: t.wire.sectorsWritten, ...(s.warmNote !== undefined && { note: s.warmNote }) };
}

async function measureFloor(rig: QemuRig, s: QemuScenario, start: Buffer, differing: readonly number[], o: ScenarioOptions): Promise<{ floorRun: FloorRun; floor?: QemuFloor }> {
  const job: FloorJob = { target: s.target.map((p) => ({ addr: p.addr, file: p.file })), differing };
  const jobFile = path.join(o.workDir, `floor-${s.id}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  const t = await timedSession(rig, floorSession(jobFile), start, s.target);
  const floorRun: FloorRun = { childSeconds: t.seconds, valid: t.valid, ...(t.error !== undefined && { error: t.error }), wire: t.wire };
  if (!t.valid) return { floorRun };
  return { floorRun, floor: composeFloor(o.startupS, JSON.parse(lastLine(t.session.stdout)) as FloorTimes, differing.length) };
}

/** Each valid run with its ratios to the (valid) full write and to the floor. */
function withRatios(runs: readonly MeasuredRun[], floor: QemuFloor | undefined): MeasuredRun[] {
  const full = runs.find((r) => r.strategy === "full" && r.valid)?.seconds;
  return runs.map((r) => (!r.valid ? r : { ...r, ...(full !== undefined && { vsFull: r.seconds / full }), ...(floor !== undefined && { vsFloor: r.seconds / floor.timeS }) }));
}

/** Runs one scenario: warm cache recorded first (when the warm strategy runs), then every strategy, then the floor. */
export async function runScenario(rig: QemuRig, s: QemuScenario, o: ScenarioOptions): Promise<QemuScenarioResult> {
  const start = flashOf(s.start);
  const differing = differingSectors(start, s.target);
  let warmRecord: WarmRecord | undefined;
  let warmCacheDir: string | undefined;
  if (o.strategies.includes("espsync (warm)")) {
    warmCacheDir = emptyCacheDir(o.workDir);
    o.log(`${s.id}: recording the warm cache`);
    warmRecord = await recordWarm(rig, s, warmCacheDir);
  }
  const runs: MeasuredRun[] = [];
  for (const strategy of o.strategies) {
    o.log(`${s.id}: ${strategy}`);
    if (strategy === "espsync (warm)" && warmRecord?.valid === false) {
      runs.push({ strategy, seconds: 0, valid: false, error: `no warm cache: ${warmRecord.error}`, wire: NO_WIRE, detail: "" });
      continue;
    }
    const t = await timedSession(rig, strategySession(strategy, s.target, o.workDir, warmCacheDir), start, s.target);
    runs.push(measured(strategy, t, detailOf(strategy, t)));
  }
  o.log(`${s.id}: floor`);
  const { floorRun, floor } = await measureFloor(rig, s, start, differing, o);
  return {
    id: s.id,
    title: s.title,
    targetSectors: imageSectors(s.target).length,
    differingSectors: differing.length,
    runs: withRatios(runs, floor),
    ...(floor !== undefined && { floor }),
    floorRun,
    ...(warmRecord !== undefined && { warmRecord }),
  };
}

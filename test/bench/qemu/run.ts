/**
 * `npm run bench:qemu`: espsync against the full write and the per-image skip on Espressif's QEMU
 * ESP32 (the real mask ROM and flasher stub) at 921600 baud over socket://, with the real firmware
 * beside the repository; wall time of whole commands, wire counts from a counting proxy, and a
 * floor measured in the same run.
 *
 * Options: --out FILE (JSON, default dist/bench-qemu-results.json), --scenario ID (repeatable),
 * --quick (the rebuild scenario with the full write and espsync cold only, plus its floor).
 * Exit code 1 only when a run failed or left the flash wrong; target misses are reported, not fatal.
 * Without QEMU or ../shared every scenario is skipped with the reason, and the exit code is 0.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs as parseCliArgs } from "node:util";
import { qemuUnavailable } from "../../qemu/qemu-env.js";
import { startRig, type QemuRig } from "../../qemu/qemu-rig.js";
import { renderTargets } from "../report.js";
import { repoRoot } from "../scenarios.js";
import { STRATEGIES, type StrategyName } from "../strategies.js";
import { runScenario, type QemuScenarioResult } from "./bench.js";
import { renderQemuResults } from "./report.js";
import { QEMU_SCENARIO_IDS, qemuScenarios, type QemuScenarioId, type SkippedQemuScenario } from "./scenarios.js";
import { measureStartup, type Startup } from "./startup.js";
import { checkQemuTargets } from "./targets.js";

/** The transfer rate of every session. */
const BAUD = 921600;

interface Args {
  out: string;
  scenarios: QemuScenarioId[];
  quick: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const { values } = parseCliArgs({
    args: [...argv],
    options: { out: { type: "string" }, scenario: { type: "string", multiple: true }, quick: { type: "boolean" } },
    strict: true,
  });
  const scenarios = values.scenario ?? [];
  for (const id of scenarios) {
    if (!(QEMU_SCENARIO_IDS as readonly string[]).includes(id)) throw new Error(`unknown scenario ${id} (one of ${QEMU_SCENARIO_IDS.join(", ")})`);
  }
  return {
    out: path.resolve(values.out ?? path.join(repoRoot(), "dist/bench-qemu-results.json")),
    scenarios: scenarios as QemuScenarioId[],
    quick: values.quick === true,
  };
}

const log = (line: string): void => void process.stderr.write(`  ${line}\n`);

let rig: QemuRig | undefined;
// setsid puts QEMU outside our process group: an interrupted run must stop it itself.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping QEMU`);
    void (rig?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function measure(ids: readonly QemuScenarioId[], strategies: readonly StrategyName[]): Promise<{ results: QemuScenarioResult[]; skipped: SkippedQemuScenario[]; startup?: Startup }> {
  const why = qemuUnavailable("esp32");
  if (why !== undefined) return { results: [], skipped: ids.map((id) => ({ id, reason: why })) };
  const workDir = mkdtempSync(path.join(tmpdir(), "espsync-bench-qemu-"));
  try {
    const { scenarios, skipped } = qemuScenarios(ids, workDir);
    if (scenarios.length === 0) return { results: [], skipped };
    log("starting QEMU (esp32)");
    rig = await startRig("esp32", { connection: ["--baud", String(BAUD)], log });
    // Measured with QEMU running, as every timed command is.
    log("measuring the start-up piece (espsync --version ×5)");
    const startup = await measureStartup();
    const results: QemuScenarioResult[] = [];
    for (const s of scenarios) results.push(await runScenario(rig, s, { strategies, startupS: startup.medianS, workDir, log }));
    return { results, skipped, startup };
  } finally {
    await rig?.stop();
    rig = undefined;
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const ids = args.quick ? (["rebuild"] as const) : args.scenarios.length ? args.scenarios : QEMU_SCENARIO_IDS;
  const strategies: readonly StrategyName[] = args.quick ? ["full", "espsync (cold)"] : STRATEGIES;
  const started = Date.now();
  const { results, skipped, startup } = await measure(ids, strategies);
  const checks = checkQemuTargets(results, skipped);
  process.stdout.write(`${renderQemuResults(results, skipped, startup)}\n${renderTargets(checks)}\n`);
  const report = { tool: "espsync bench:qemu", createdAt: new Date().toISOString(), chip: "esp32", baudRate: BAUD, quick: args.quick, startup, scenarios: results, skipped, targets: checks };
  mkdirSync(path.dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${args.out} (${((Date.now() - started) / 1000).toFixed(0)} s real time)`);
  return results.some((s) => !s.floorRun.valid || s.runs.some((r) => !r.valid)) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:qemu failed: ${String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  },
);

/**
 * `npm run bench`: espsync against the strategies users have today (esptool's full write, espflash's
 * and `--skip-flashed`'s per-image skip) on the virtual chip's modelled link and flash.
 *
 * Options: --out FILE (JSON, default dist/bench-results.json), --scenario ID (repeatable),
 * --profile usb-uart|usb-serial-jtag (repeatable), --no-host (skip the host-cost measurement).
 * Exit code 1 only when a run failed or left the flash wrong; target misses are reported, not fatal.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs as parseCliArgs } from "node:util";
import { LINK_PROFILES, runBench } from "./bench.js";
import { measureHostCost, type HostCostReport } from "./host-cost.js";
import { renderHostCost, renderRatios, renderResults, renderTargets } from "./report.js";
import { allScenarios, repoRoot } from "./scenarios.js";
import { checkTargets } from "./targets.js";

interface Args {
  out: string;
  scenarios: string[];
  profiles: string[];
  host: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const { values } = parseCliArgs({
    args: [...argv],
    options: { out: { type: "string" }, scenario: { type: "string", multiple: true }, profile: { type: "string", multiple: true }, "no-host": { type: "boolean" } },
    strict: true,
  });
  return {
    out: path.resolve(values.out ?? path.join(repoRoot(), "dist/bench-results.json")),
    scenarios: values.scenario ?? [],
    profiles: values.profile ?? [],
    host: values["no-host"] !== true,
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const all = allScenarios();
  const scenarios = args.scenarios.length ? all.scenarios.filter((s) => args.scenarios.includes(s.id)) : all.scenarios;
  const profiles = args.profiles.length ? LINK_PROFILES.filter((p) => args.profiles.includes(p.name)) : LINK_PROFILES;
  const log = (line: string): void => void process.stderr.write(`  running ${line}\n`);
  const started = Date.now();
  const modelled = await runBench({ scenarios, profiles, log });
  const results = { ...modelled, skipped: all.skipped };
  let host: HostCostReport | undefined;
  let hostSkipped: string | undefined;
  if (args.host) {
    process.stderr.write("  measuring host cost (1, 2, 4 MiB)\n");
    host = measureHostCost([1, 2, 4]);
  } else hostSkipped = "--no-host";
  const checks = checkTargets(results, host);
  process.stdout.write(`${renderResults(results)}\n${renderRatios(results)}\n${renderHostCost(host, hostSkipped)}\n${renderTargets(checks)}\n`);
  const report = { tool: "espsync bench", createdAt: new Date().toISOString(), profiles, ...results, host, targets: checks };
  mkdirSync(path.dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`  wrote ${args.out} (${((Date.now() - started) / 1000).toFixed(0)} s real time)\n`);
  const broken = results.scenarios.flatMap((s) => s.profiles.flatMap((p) => p.runs)).filter((r) => !r.endStateOk);
  return broken.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  },
);

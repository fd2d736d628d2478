/**
 * `espsync flash`: make each board's flash equal to the images, writing only the 4 KiB sectors that
 * differ, verified by the chip's own digest; optionally chain into the console for a smoke test.
 */
import { flash, type FlashResult } from "../../engine/index.js";
import { EspsyncError } from "../../errors.js";
import { finishBoards, runOnBoards, selectBoards, type BoardOutcome } from "../boards.js";
import { cacheFilePath, fileCacheStore } from "../cache-store.js";
import type { CommandSpec } from "../command.js";
import { EXIT, exitCodeFor } from "../exit-codes.js";
import { loadImages, regionName, withImageOptions } from "../image-args.js";
import { monitorPort, monitorToJson, type MonitorJson } from "../monitor/monitor-port.js";
import { parseMonitorSettings, withMonitorOptions, type MonitorSettings } from "../monitor/monitor-options.js";
import { flashEventRenderer, planLine, totalsLine } from "../render/flash-report.js";
import { Output } from "../render/output.js";
import { errorToJson, renderError } from "../render-error.js";

export const flashCommand: CommandSpec = {
  command: "flash [pairs..]",
  aliases: ["write-flash", "write_flash"],
  describe: "Write images, only the 4 KiB sectors that differ, and verify them by the chip's digest",
  examples: [
    ["espsync flash --port /dev/ttyUSB0 --build build", "flash an ESP-IDF build (reads build/flasher_args.json)"],
    ["espsync flash -p auto 0x0 bootloader.bin 0x8000 partition-table.bin 0x10000 app.bin", "flash files at addresses"],
    ["espsync flash -p /dev/ttyUSB0 -p /dev/ttyUSB1 --build build", "flash two boards at once"],
    ["espsync flash -p rfc2217://lab-host:4000 --build build --monitor --expect 'Hello world' --timeout 20", "flash a remote board and smoke-test it"],
    ["espsync flash --dry-run -p auto --build build", "show what would be written"],
  ],
  builder: (y) =>
    withMonitorOptions(withImageOptions(y))
      .option("erase-all", { type: "boolean", default: false, describe: "Erase the whole chip first (then every region is written)", group: "Flash:" })
      .option("verify", { type: "boolean", default: true, describe: "Check every region with the chip's digest (--no-verify skips it)", group: "Flash:" })
      .option("delta", { type: "boolean", default: true, describe: "Write only differing sectors (--no-delta rewrites every region)", group: "Flash:" })
      .option("dry-run", { type: "boolean", default: false, describe: "Connect, compare and print the plan; write nothing", group: "Flash:" })
      .option("cache", { type: "boolean", default: true, describe: "Use the host digest cache (--no-cache ignores it)", group: "Flash:" })
      .option("force", { type: "boolean", default: false, describe: "Write images meant for a newer chip revision", group: "Flash:" })
      .option("monitor", { type: "boolean", default: false, describe: "Open the console after flashing (with --expect: a smoke test)", group: "Monitor:" }),
  run: async (args, ctx) => {
    const monitor = args.monitor === true ? parseMonitorSettings(args) : undefined;
    if (monitor === undefined && (args.expect !== undefined || args.timeout !== undefined)) {
      throw new EspsyncError("USAGE", "--expect and --timeout need --monitor with espsync flash", { hint: "add --monitor, e.g. --monitor --expect 'Hello world'" });
    }
    const images = await loadImages(args, ctx.globals, ctx.io);
    const urls = await selectBoards(ctx);
    if (monitor !== undefined && urls.length > 1) {
      throw new EspsyncError("USAGE", "--monitor works with one board", { hint: "flash several boards without --monitor, or run one command per board" });
    }
    const cacheFile = args.cache === false ? undefined : cacheFilePath(ctx.io.env);
    const names = images.regions.map((r) => regionName(r.sourcePath, r.addr));
    const dryRun = args["dry-run"] === true;
    const out = new Output(ctx.io, ctx.globals);
    try {
      if (cacheFile !== undefined) out.detail(`digest cache: ${cacheFile}`);
      const outcomes = await runOnBoards<FlashResult>(urls, ctx, out, async (board) => {
        const result = await flash({
          device: board.device,
          images,
          force: args.force === true,
          noDelta: args.delta === false,
          eraseAll: args["erase-all"] === true,
          noVerify: args.verify === false,
          dryRun,
          ...(cacheFile !== undefined && { cache: fileCacheStore(cacheFile, board.device.chip.mac) }),
          baudRate: ctx.globals.baud,
          onEvent: flashEventRenderer(out, board.progress, board.prefix, names),
          signal: ctx.io.signal,
        });
        board.progress.clear();
        if (dryRun) for (const [i, r] of result.plan.regions.entries()) out.say(`${board.prefix}${planLine(r, names[i] ?? "")}`);
        else out.say(`${board.prefix}${totalsLine(result)}`);
        // The console resets the board itself; leaving it untouched keeps its first lines.
        return { result, ...(monitor !== undefined && !dryRun && { after: "no_reset_stub" as const }) };
      });
      const monitored = monitor !== undefined && !dryRun ? await chainMonitor(outcomes, monitor, ctx.io.signal, out, ctx.globals.debug) : undefined;
      return finishFlash(outcomes, monitored, ctx, out, dryRun);
    } finally {
      out.close();
    }
  },
};

interface Monitored {
  readonly json: MonitorJson | null;
  readonly error?: unknown;
  readonly exitCode: number;
}

/** After a successful flash of one board: the console on the same port. */
async function chainMonitor(outcomes: readonly BoardOutcome<FlashResult>[], settings: MonitorSettings, signal: AbortSignal, out: Output, debug: boolean): Promise<Monitored | undefined> {
  const [only] = outcomes;
  if (only === undefined || only.exitCode !== EXIT.ok || only.port === undefined) return undefined;
  try {
    const result = await monitorPort(only.port, settings, { signal, out, reset: true });
    // Ctrl-C while waiting for an expected line is an interruption, not a pass.
    const exitCode = result.outcome === "stopped" && settings.expect ? EXIT.interrupted : EXIT.ok;
    return { json: monitorToJson(result), exitCode };
  } catch (error) {
    out.stderr(renderError(error, debug));
    return { json: null, error, exitCode: exitCodeFor(error) };
  }
}

function finishFlash(outcomes: readonly BoardOutcome<FlashResult>[], monitored: Monitored | undefined, ctx: Parameters<CommandSpec["run"]>[1], out: Output, dryRun: boolean): number {
  const verb = dryRun ? "planned" : "flashed";
  if (monitored === undefined) return finishBoards("flash", verb, outcomes, ctx, out, (r) => r);
  // One board, flashed; the document gains the console outcome.
  const jsonOut = ctx.globals.json;
  const code = finishBoards("flash", verb, outcomes, { ...ctx, globals: { ...ctx.globals, json: false } }, out, (r) => r);
  const exitCode = code !== EXIT.ok ? code : monitored.exitCode;
  if (jsonOut) {
    const o = outcomes[0] as BoardOutcome<FlashResult>;
    ctx.emitJson({
      ok: exitCode === EXIT.ok,
      command: "flash",
      boards: [
        {
          port: o.url,
          chip: o.chip,
          result: o.result,
          monitor: monitored.json,
          ...(monitored.error !== undefined && { error: errorToJson(monitored.error) }),
        },
      ],
    });
  }
  return exitCode;
}

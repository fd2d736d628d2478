/**
 * `espsync flash`: make each board's flash equal to the images, writing only the 4 KiB sectors that
 * differ, verified by the chip's own digest; optionally chain into the console for a smoke test.
 */
import { flash, type FlashResult } from "../../engine/index.js";
import { EspsyncError } from "../../errors.js";
import { boardsDocument, combinedExitCode, finishBoards, runOnBoards, selectBoards, summarise, type BoardOutcome } from "../boards.js";
import { withBuildDefaults } from "../build-defaults.js";
import { cacheFilePath, fileCacheStore } from "../cache-store.js";
import type { CommandContext, CommandSpec } from "../command.js";
import { imagesForBoard } from "../elf-board.js";
import { loadImages, regionName, withImageOptions } from "../image-args.js";
import { monitorFlashedBoards, withMonitorOutcomes, type Monitored } from "../monitor/chain-monitor.js";
import { parseMonitorSettings, withMonitorOptions } from "../monitor/monitor-options.js";
import { flashEventRenderer, planLine, totalsLine } from "../render/flash-report.js";
import { Output } from "../render/output.js";

export const flashCommand: CommandSpec = {
  command: "flash [pairs..]",
  aliases: ["write-flash", "write_flash"],
  describe: "Write images, only the 4 KiB sectors that differ, and verify them by the chip's digest",
  examples: [
    ["espsync flash --port /dev/ttyUSB0 --build build", "flash an ESP-IDF build (reads build/flasher_args.json)"],
    ["espsync flash -p auto 0x0 bootloader.bin 0x8000 partition-table.bin 0x10000 app.bin", "flash files at addresses"],
    ["espsync flash -p auto target/riscv32imc-unknown-none-elf/release/app", "convert an ELF and write it to the app partition of the table on the chip"],
    ["espsync flash -p auto app.elf --partition-table partitions.csv --bootloader bootloader.bin", "an ELF with its partition table and bootloader"],
    ["espsync flash -p /dev/ttyUSB0 -p /dev/ttyUSB1 --build build", "flash two boards at once"],
    ["espsync flash -p rfc2217://lab-host:4000 --build build --monitor --expect 'Calling app_main' --timeout 20", "flash a remote board and smoke-test it (ESP-IDF logs the line when the app starts)"],
    ["espsync flash -p /dev/ttyUSB0 -p /dev/ttyUSB1 --build build --monitor --expect 'Calling app_main' --timeout 20", "flash and smoke-test two boards at once"],
    ["espsync flash --dry-run -p auto --build build", "show what would be written"],
  ],
  builder: (y) =>
    withMonitorOptions(withImageOptions(y))
      .option("erase-all", { type: "boolean", default: false, describe: "Erase the whole chip first (then every region is written)", group: "Flash:" })
      .option("verify", { type: "boolean", default: true, describe: "Check every region with the chip's digest (--no-verify skips it)", group: "Flash:" })
      .option("delta", { type: "boolean", default: true, describe: "Write only differing sectors (--no-delta rewrites every region)", group: "Flash:" })
      .option("dry-run", { type: "boolean", default: false, describe: "Connect, compare and print the plan; write nothing", group: "Flash:" })
      .option("cache", { type: "boolean", default: true, describe: "Use the host digest cache (--no-cache ignores it)", group: "Flash:" })
      .option("force", { type: "boolean", default: false, describe: "Write anyway: images outside the chip's revision range, --flash-size beyond the chip's flash, a file that is not a partition table at 0x8000", group: "Flash:" })
      .option("monitor", { type: "boolean", default: false, describe: "Open the console after flashing (with --expect: a smoke test)", group: "Monitor:" }),
  run: async (args, given) => {
    const monitor = args.monitor === true ? parseMonitorSettings(args) : undefined;
    if (monitor === undefined && (args.expect !== undefined || args.timeout !== undefined)) {
      throw new EspsyncError("USAGE", "--expect and --timeout need --monitor with espsync flash", { hint: "Add --monitor, e.g. --monitor --expect 'Calling app_main'" });
    }
    const images = await loadImages(args, given.globals, given.io);
    // flasher_args.json's chip, before and after stand in for the built-in defaults.
    const ctx = withBuildDefaults(given, images.flasherArgs);
    const urls = await selectBoards(ctx);
    const cacheFile = args.cache === false ? undefined : cacheFilePath(ctx.io.env);
    const dryRun = args["dry-run"] === true;
    const out = new Output(ctx.io, ctx.globals);
    try {
      if (cacheFile !== undefined) out.detail(`digest cache: ${cacheFile}`);
      const outcomes = await runOnBoards<FlashResult>(urls, ctx, out, async (board) => {
        // ELF apps are placed per board: the chip and the partition table on it decide where.
        const boardImages = await imagesForBoard(images, board.device, (line) => out.say(`${board.prefix}note: ${line}`));
        const names = boardImages.regions.map((r) => regionName(r.sourcePath, r.addr));
        const result = await flash({
          device: board.device,
          images: boardImages,
          force: args.force === true,
          noDelta: args.delta === false,
          eraseAll: args["erase-all"] === true,
          noVerify: args.verify === false,
          dryRun,
          ...(cacheFile !== undefined && { cache: fileCacheStore(cacheFile, board.device.chip.mac) }),
          ...(ctx.globals.baud !== undefined && { baudRate: ctx.globals.baud }),
          onEvent: flashEventRenderer(out, board.progress, board.prefix, names, (tracker) => board.activity.working(tracker)),
          signal: ctx.io.signal,
        });
        board.progress.clear();
        if (dryRun) for (const [i, r] of result.plan.regions.entries()) out.say(`${board.prefix}${planLine(r, names[i] ?? "")}`);
        else out.say(`${board.prefix}${totalsLine(result)}`);
        // The console resets the board itself; leaving it untouched keeps its first lines.
        return { result, ...(monitor !== undefined && !dryRun && { after: "no_reset_stub" as const }) };
      });
      const monitored = monitor !== undefined && !dryRun ? await monitorFlashedBoards(outcomes, monitor, { signal: ctx.io.signal, out, debug: ctx.globals.debug }) : undefined;
      const verb = dryRun ? "planned" : monitor?.expect !== undefined ? "flashed and checked" : "flashed";
      return finishFlash(outcomes, monitored, ctx, out, verb);
    } finally {
      out.close();
    }
  },
};

/** Summary, JSON document (each board with its `monitor` outcome under --monitor) and exit code. */
function finishFlash(outcomes: readonly BoardOutcome<FlashResult>[], monitored: readonly (Monitored | undefined)[] | undefined, ctx: CommandContext, out: Output, verb: string): number {
  if (monitored === undefined) return finishBoards("flash", verb, outcomes, ctx, out, (r) => r);
  const merged = withMonitorOutcomes(outcomes, monitored);
  out.close();
  summarise(verb, merged, out);
  if (ctx.globals.json) {
    const doc = boardsDocument("flash", merged, (r) => r);
    ctx.emitJson({ ...doc, boards: doc.boards.map((board, i) => ({ ...board, monitor: monitored[i]?.json ?? null })) });
  }
  return combinedExitCode(merged);
}

/**
 * `espsync erase-region ADDR SIZE`: erase whole 4 KiB sectors. Alignment is checked before the
 * port is opened; the range against the flash size right after connecting, before erasing. The
 * range is erased in steps of 64 KiB blocks (more per step across a slow link) so that Ctrl-C stops
 * between two and can say what is erased.
 */
import { EspsyncError, hex32 } from "../../errors.js";
import { DEFAULT_COST_MODEL } from "../../plan/index.js";
import { MIN_PART_BYTES, partBytes } from "../../util/part-size.js";
import { plural } from "../../util/plural.js";
import { requireSectorAligned } from "../../util/sector-alignment.js";
import { runBoardCommand, selectBoards } from "../boards.js";
import { cacheFilePath, forgetErasedDigests } from "../cache-store.js";
import type { CommandSpec } from "../command.js";
import { runInSteps, type StepPosition } from "../flash-steps.js";
import type { InterruptReporter } from "../render/interrupt-notices.js";
import { parseFlashAddress, parseSize, requireInFlash } from "../numbers.js";
import { formatBytes, formatDuration } from "../render/format.js";
import type { EraseJson } from "./erase.js";

export const eraseRegionCommand: CommandSpec = {
  command: "erase-region <addr> <size>",
  aliases: ["erase_region"],
  describe: "Erase a range of 4 KiB sectors",
  examples: [
    ["espsync erase-region -p /dev/ttyUSB0 0x9000 0x6000", "erase the NVS partition of the default layout"],
    ["espsync erase-region -p auto 0x110000 64K", "erase 16 sectors"],
  ],
  builder: (y) =>
    y
      .positional("addr", { type: "string", describe: "Start address, a multiple of 0x1000" })
      .positional("size", { type: "string", describe: "Bytes, a multiple of 0x1000 (0x…, decimal, 64K)" }),
  run: async (args, ctx) => {
    const addr = parseFlashAddress(args.addr, "espsync erase-region");
    const sizeBytes = parseSize(args.size, "erase size");
    requireSectorAligned(addr, "espsync erase-region: address");
    requireSectorAligned(sizeBytes, "espsync erase-region: size", "size");
    const urls = await selectBoards(ctx);
    const cacheFile = cacheFilePath(ctx.io.env);
    return runBoardCommand<EraseJson>(urls, ctx, "erase-region", "erased", async (board, out) => {
      requireInFlash(addr, sizeBytes, board.device.chip.flashSizeBytes, "espsync erase-region");
      const started = Date.now();
      const label = `erasing ${hex32(addr)}..${hex32(addr + sizeBytes)}`;
      const position: StepPosition = { doneUpTo: addr, current: undefined };
      board.activity.working(eraseReporter(addr, sizeBytes, position));
      board.progress.status(label);
      await forgetErasedDigests(cacheFile, board.device.chip.mac, (line) => out.warn(line), { addr, sizeBytes });
      // Steps of whole 64 KiB blocks, more of them per step where the link's round trip is long.
      const stepBytes = partBytes(board.device.chip.link?.roundTripS, MIN_PART_BYTES / DEFAULT_COST_MODEL.blockEraseS);
      await runInSteps({ addr, sizeBytes, stepBytes }, position, ctx.io.signal, (doneUpTo) => eraseInterrupted(addr, sizeBytes, doneUpTo), async (step) => {
        await board.device.eraseRegion(step.addr, step.end - step.addr);
        board.progress.bytes(label, step.end - addr, sizeBytes);
      });
      const durationMs = Date.now() - started;
      out.say(`${board.prefix}Erased ${formatBytes(sizeBytes)} at ${hex32(addr)}..${hex32(addr + sizeBytes)} (${plural(sizeBytes / 0x1000, "sector")}) in ${formatDuration(durationMs)}`);
      return { result: { addr, sizeBytes, durationMs } };
    });
  },
};

/** How to finish an erase cut short. */
const FINISH_ERASE = "To finish erasing, run the same command again.";

/** `0x00100000..0x00120000`. */
function range(from: number, to: number): string {
  return `${hex32(from)}..${hex32(to)}`;
}

/** What Ctrl-C says about an erase in steps. */
function eraseReporter(addr: number, sizeBytes: number, position: StepPosition): InterruptReporter {
  const end = addr + sizeBytes;
  return {
    inFlight: () => {
      const erased = position.doneUpTo > addr ? `erased up to ${hex32(position.doneUpTo)}, ` : "";
      const current = position.current === undefined ? "starting" : `${range(position.current.addr, position.current.end)} in flight`;
      return `erasing ${range(addr, end)}: ${erased}${current}`;
    },
    flashState: () => {
      const { doneUpTo, current } = position;
      const pending = current?.end ?? doneUpTo;
      return [
        ...(doneUpTo > addr ? [`${range(addr, doneUpTo)}: erased`] : []),
        ...(current !== undefined ? [`${range(current.addr, current.end)}: may be partly erased (its erase was in flight)`] : []),
        ...(pending < end ? [`${range(pending, end)}: not erased yet (it holds what it held before)`] : []),
      ];
    },
    finish: FINISH_ERASE,
  };
}

/** INTERRUPTED at a step boundary: what is erased and what is not. */
function eraseInterrupted(addr: number, sizeBytes: number, doneUpTo: number): EspsyncError {
  const end = addr + sizeBytes;
  const erased = doneUpTo > addr ? `${range(addr, doneUpTo)} erased, ` : "";
  return new EspsyncError("INTERRUPTED", `erase interrupted: ${erased}${range(doneUpTo, end)} not erased yet`, { hint: "Run the same command again to finish erasing." });
}

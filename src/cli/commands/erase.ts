/**
 * `espsync erase`: erase the whole flash chip of each board (and forget its cached digests).
 */
import { EspsyncError } from "../../errors.js";
import { runBoardCommand, selectBoards } from "../boards.js";
import { cacheFilePath, forgetErasedDigests } from "../cache-store.js";
import type { CommandSpec } from "../command.js";
import { formatBytes, formatDuration } from "../render/format.js";

/** The `result` of an erase in `--json`. */
export interface EraseJson {
  readonly addr: number;
  readonly sizeBytes: number;
  readonly durationMs: number;
}

export const eraseCommand: CommandSpec = {
  command: "erase",
  aliases: ["erase-flash", "erase_flash"],
  describe: "Erase the whole flash chip",
  examples: [
    ["espsync erase -p /dev/ttyUSB0", "erase everything (NVS, apps, bootloader)"],
    ["espsync erase -p /dev/ttyUSB0 -p /dev/ttyUSB1", "erase two boards at once"],
  ],
  run: async (_args, ctx) => {
    const urls = await selectBoards(ctx);
    const cacheFile = cacheFilePath(ctx.io.env);
    return runBoardCommand<EraseJson>(urls, ctx, "erase", "erased", async (board, out) => {
      const started = Date.now();
      // One command the chip sees through: a stop asked for meanwhile comes after it.
      board.activity.working({
        inFlight: () => "erasing the whole chip (one command: the chip finishes it first)",
        flashState: () => ["any part of it may be erased (the whole-chip erase was in flight)"],
        finish: "To finish erasing, run the same command again.",
      });
      board.progress.status("erasing the whole chip (this takes a while)");
      await forgetErasedDigests(cacheFile, board.device.chip.mac, (line) => out.warn(line));
      if (ctx.io.signal.aborted) {
        throw new EspsyncError("INTERRUPTED", "erase interrupted before it began: the flash is unchanged", { hint: "Run the same command again to erase the flash." });
      }
      await board.device.eraseAll();
      const durationMs = Date.now() - started;
      const sizeBytes = board.device.chip.flashSizeBytes;
      out.say(`${board.prefix}Erased the whole flash${sizeBytes > 0 ? ` (${formatBytes(sizeBytes)})` : ""} in ${formatDuration(durationMs)}`);
      return { result: { addr: 0, sizeBytes, durationMs } };
    });
  },
};

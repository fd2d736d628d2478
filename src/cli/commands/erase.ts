/**
 * `espsync erase`: erase the whole flash chip of each board (and forget its cached digests).
 */
import path from "node:path";
import { finishBoards, runOnBoards } from "../boards.js";
import { CACHE_FILE_NAME, cacheDir, forgetCachedRange } from "../cache-store.js";
import type { CommandSpec } from "../command.js";
import { formatBytes, formatDuration } from "../render/format.js";
import { Output } from "../render/output.js";
import { portFinder } from "../ports/connect-board.js";
import { selectPorts } from "../ports/select-ports.js";

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
    const urls = await selectPorts(ctx.globals.ports, portFinder(ctx.io, ctx.globals));
    const dir = cacheDir(ctx.io.env);
    const out = new Output(ctx.io, ctx.globals);
    try {
      const outcomes = await runOnBoards<EraseJson>(urls, ctx, out, async (board) => {
        const started = Date.now();
        board.progress.status("erasing the whole chip (this takes a while)");
        if (dir !== undefined) await forgetCachedRange(path.join(dir, CACHE_FILE_NAME), board.device.chip.mac).catch((e: Error) => out.warn(`digest cache not updated (${e.message})`));
        await board.device.eraseAll();
        const durationMs = Date.now() - started;
        const sizeBytes = board.device.chip.flashSizeBytes;
        out.say(`${board.prefix}Erased the whole flash${sizeBytes > 0 ? ` (${formatBytes(sizeBytes)})` : ""} in ${formatDuration(durationMs)}`);
        return { result: { addr: 0, sizeBytes, durationMs } };
      });
      return finishBoards("erase", "erased", outcomes, ctx, out, (r) => r);
    } finally {
      out.close();
    }
  },
};

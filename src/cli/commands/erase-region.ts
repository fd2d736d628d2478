/**
 * `espsync erase-region ADDR SIZE`: erase whole 4 KiB sectors. Alignment is checked before the
 * port is opened; the range against the flash size right after connecting, before erasing.
 */
import { hex32 } from "../../errors.js";
import { plural } from "../../util/plural.js";
import { runBoardCommand, selectBoards } from "../boards.js";
import { cacheFilePath, forgetErasedDigests } from "../cache-store.js";
import type { CommandSpec } from "../command.js";
import { parseFlashAddress, parseSize, requireInFlash } from "../numbers.js";
import { requireSectorAligned } from "../../util/sector-alignment.js";
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
      board.progress.status(`erasing ${hex32(addr)}..${hex32(addr + sizeBytes)}`);
      await forgetErasedDigests(cacheFile, board.device.chip.mac, (line) => out.warn(line), { addr, sizeBytes });
      await board.device.eraseRegion(addr, sizeBytes);
      const durationMs = Date.now() - started;
      out.say(`${board.prefix}Erased ${formatBytes(sizeBytes)} at ${hex32(addr)}..${hex32(addr + sizeBytes)} (${plural(sizeBytes / 0x1000, "sector")}) in ${formatDuration(durationMs)}`);
      return { result: { addr, sizeBytes, durationMs } };
    });
  },
};

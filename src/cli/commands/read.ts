/**
 * `espsync read ADDR SIZE FILE`: copy a range of flash into a file. Everything that can be checked
 * without the chip (numbers, the file's directory) is checked before the port is opened.
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { EspsyncError, hex32 } from "../../errors.js";
import { runBoardCommand, selectOneBoard } from "../boards.js";
import type { CommandSpec } from "../command.js";
import { parseFlashAddress, parseSize, requireInFlash } from "../numbers.js";
import { requireWritableFile } from "../output-file.js";
import { formatBytes, formatDuration, formatRate } from "../render/format.js";

/** The `result` of a read in `--json`. */
export interface ReadJson {
  readonly addr: number;
  readonly sizeBytes: number;
  readonly file: string;
  readonly md5: string;
  readonly durationMs: number;
}

export const readCommand: CommandSpec = {
  command: "read <addr> <size> <file>",
  aliases: ["read-flash", "read_flash"],
  describe: "Read a range of flash into a file",
  examples: [
    ["espsync read -p /dev/ttyUSB0 0x0 4M backup.bin", "back up a whole 4 MiB flash"],
    ["espsync read -p auto 0x8000 0xc00 partitions.bin", "read the partition table"],
  ],
  builder: (y) =>
    y
      .positional("addr", { type: "string", describe: "Flash address (0x…)" })
      .positional("size", { type: "string", describe: "Bytes to read (0x…, decimal, 64K, 4M)" })
      .positional("file", { type: "string", describe: "Output file" }),
  run: async (args, ctx) => {
    const addr = parseFlashAddress(args.addr, "espsync read");
    const sizeBytes = parseSize(args.size, "read size");
    const file = String(args.file);
    const target = path.resolve(ctx.io.cwd, file);
    await requireWritableFile(target, file);
    const url = await selectOneBoard("read", ctx);
    return runBoardCommand<ReadJson>([url], ctx, "read", "read", async (board, out) => {
      requireInFlash(addr, sizeBytes, board.device.chip.flashSizeBytes, "espsync read");
      const started = Date.now();
      const label = `reading ${hex32(addr)}..${hex32(addr + sizeBytes)}`;
      const data = await board.device.read(addr, sizeBytes, (done, total) => board.progress.bytes(label, done, total));
      const durationMs = Date.now() - started;
      try {
        await writeFile(target, data);
      } catch (cause) {
        throw new EspsyncError("FILE_UNWRITABLE", `cannot write ${file}: ${(cause as Error).message}`, { hint: "Choose a path in a directory you can write to", cause });
      }
      const md5 = createHash("md5").update(data).digest("hex");
      out.say(`Read ${formatBytes(sizeBytes)} from ${hex32(addr)} into ${file} in ${formatDuration(durationMs)} (${formatRate(sizeBytes, durationMs)}), MD5 ${md5}`);
      return { result: { addr, sizeBytes, file, md5, durationMs } };
    });
  },
};

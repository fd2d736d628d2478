/**
 * `espsync read ADDR SIZE FILE`: copy a range of flash into a file. Everything that can be checked
 * without the chip (numbers, the file's directory) is checked before the port is opened. The range
 * is read in parts of 64 KiB blocks (Ctrl-C stops between two) and checked with one digest; the
 * file is written only once all of it is read, whole, so an interrupted read never leaves a file
 * that looks like a complete one.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { EspsyncError, hex32, ReadInterruptedError } from "../../errors.js";
import { NOTHING_TO_FINISH } from "../board-activity.js";
import { runBoardCommand, selectOneBoard } from "../boards.js";
import type { CommandSpec } from "../command.js";
import { parseFlashAddress, parseSize, requireInFlash } from "../numbers.js";
import { requireWritableFile, writeOutputFile } from "../output-file.js";
import { formatBytes, formatDuration, formatHex, formatRate } from "../render/format.js";

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
      const what = `reading ${hex32(addr)}+${formatHex(sizeBytes, 1)} into ${file}`;
      // Where the bytes have got to, for Ctrl-C's notice.
      let readUpTo = addr;
      board.activity.working({
        inFlight: () => `${what}: at ${hex32(readUpTo)}`,
        flashState: () => ["unchanged: a read writes nothing to it", `${file}: not written (it is written only once the whole range is read)`],
        finish: NOTHING_TO_FINISH,
      });
      const onProgress = (done: number): void => {
        readUpTo = addr + done;
        board.progress.bytes(label, done, sizeBytes);
      };
      // The read stops between its parts once Ctrl-C came; one digest checks the whole range.
      const data = await board.device.read(addr, sizeBytes, onProgress, { shouldStop: () => ctx.io.signal.aborted }).catch((err: unknown) => {
        if (!(err instanceof ReadInterruptedError)) throw err;
        const doneUpTo = addr + err.readBytes;
        throw new EspsyncError("INTERRUPTED", `read interrupted at ${hex32(doneUpTo)} (${formatHex(err.readBytes, 1)} of ${formatHex(sizeBytes, 1)} bytes read): ${file} was not written; the flash is unchanged`, {
          hint: "Run the same command again to read the whole range.",
          cause: err,
        });
      });
      const durationMs = Date.now() - started;
      await writeOutputFile(target, file, data);
      const md5 = createHash("md5").update(data).digest("hex");
      out.say(`Read ${formatBytes(sizeBytes)} from ${hex32(addr)} into ${file} in ${formatDuration(durationMs)} (${formatRate(sizeBytes, durationMs)}), MD5 ${md5}`);
      return { result: { addr, sizeBytes, file, md5, durationMs } };
    });
  },
};

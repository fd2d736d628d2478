/**
 * `espsync partitions FILE | --from-chip`: the partition table as a table — name, type, subtype,
 * offset, size, flags — from a file (a table, or a merged image holding one) or read from a board.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { EspsyncError, hex32 } from "../../errors.js";
import { PARTITION_TABLE_MAX_BYTES, PARTITION_TABLE_OFFSET, looksLikePartitionTable, parsePartitionTable, type PartitionTable } from "../../image/index.js";
import { finishBoards, requireOneBoard, runOnBoards } from "../boards.js";
import type { CommandSpec } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { parseFlashAddress, requireInFlash } from "../numbers.js";
import { portFinder } from "../ports/connect-board.js";
import { selectPorts } from "../ports/select-ports.js";
import { formatBytes, formatHex } from "../render/format.js";
import { Output } from "../render/output.js";
import { renderTable } from "../render/table.js";
import { errorToJson, renderError } from "../render-error.js";

/** A parsed table with where it was found. */
export interface PartitionsJson {
  /** Flash offset of the table (file offset for a plain table file: 0). */
  readonly offset: number;
  readonly table: PartitionTable;
}

/** The table as aligned lines, then its problems. */
export function partitionLines(table: PartitionTable): string[] {
  const rows = table.entries.map((p) => [
    p.label,
    p.typeName,
    p.subtypeName,
    hex32(p.offset),
    formatHex(p.sizeBytes, 6),
    formatBytes(p.sizeBytes),
    [p.encrypted ? "encrypted" : "", p.readonly ? "readonly" : "", p.flags & ~3 ? formatHex(p.flags, 8) : ""].filter(Boolean).join(",") || "-",
  ]);
  const lines = renderTable(["Name", "Type", "Subtype", "Offset", "Size", "", "Flags"], rows, ["left", "left", "left", "left", "left", "right", "left"]);
  if (table.md5) lines.push(`MD5 ${table.md5.stored} ${table.md5.valid ? "valid" : `INVALID (computed ${table.md5.computed})`}`);
  return lines;
}

function invalidTable(where: string, table: PartitionTable): EspsyncError {
  return new EspsyncError("PARTITION_TABLE_INVALID", `${where}: the partition table is invalid: ${table.problems.join("; ")}`, {
    hint: "regenerate it from its CSV (idf.py partition-table) and flash it again",
  });
}

export const partitionsCommand: CommandSpec = {
  command: "partitions [file]",
  aliases: ["partition-table"],
  describe: "Show a partition table from a file or from the chip (--from-chip)",
  examples: [
    ["espsync partitions partition-table.bin", "show a built table (build/partition_table/)"],
    ["espsync partitions firmware.bin", "the table inside a merged image"],
    ["espsync partitions --from-chip -p /dev/ttyUSB0", "read the table from the board"],
  ],
  builder: (y) =>
    y
      .positional("file", { type: "string", describe: "Partition table .bin, or a merged image holding one" })
      .option("from-chip", { type: "boolean", default: false, describe: "Read the table from the board's flash" })
      .option("offset", { type: "string", describe: `Flash offset of the table (default ${hex32(PARTITION_TABLE_OFFSET)})` }),
  run: async (args, ctx) => {
    const offset = args.offset === undefined ? PARTITION_TABLE_OFFSET : parseFlashAddress(args.offset, "--offset");
    const fromChip = args["from-chip"] === true;
    if (fromChip === (typeof args.file === "string")) {
      throw new EspsyncError("USAGE", fromChip ? "give a FILE or --from-chip, not both" : "no partition table given", { hint: "e.g. espsync partitions partition-table.bin, or espsync partitions --from-chip -p auto" });
    }
    const out = new Output(ctx.io, ctx.globals);
    if (!fromChip) return fromFile(String(args.file), offset, ctx, out);
    const url = requireOneBoard("partitions --from-chip", await selectPorts(ctx.globals.ports, portFinder(ctx.io, ctx.globals)));
    try {
      const outcomes = await runOnBoards<PartitionsJson>([url], ctx, out, async (board) => {
        requireInFlash(offset, PARTITION_TABLE_MAX_BYTES, board.device.chip.flashSizeBytes, "espsync partitions");
        const bytes = await board.device.read(offset, PARTITION_TABLE_MAX_BYTES, (d, t) => board.progress.bytes(`reading ${hex32(offset)}`, d, t));
        board.progress.clear();
        if (!looksLikePartitionTable(bytes)) {
          throw new EspsyncError("PARTITION_TABLE_INVALID", `no partition table at ${hex32(offset)} on the chip (first bytes ${formatHex(bytes[0] ?? 0, 2)} ${formatHex(bytes[1] ?? 0, 2)})`, {
            hint: "flash a build first, or give --offset if the table is elsewhere",
          });
        }
        const table = parsePartitionTable(bytes);
        for (const line of partitionLines(table)) out.result(line);
        return { result: { offset, table }, ...(!table.valid && { failure: invalidTable(`chip at ${hex32(offset)}`, table) }) };
      });
      return finishBoards("partitions", "read", outcomes, ctx, out, (r) => r);
    } finally {
      out.close();
    }
  },
};

async function fromFile(file: string, offset: number, ctx: Parameters<CommandSpec["run"]>[1], out: Output): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path.resolve(ctx.io.cwd, file));
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === "ENOENT";
    throw new EspsyncError(missing ? "FILE_NOT_FOUND" : "FILE_UNREADABLE", `${file}: ${missing ? "no such file" : `cannot read (${(cause as Error).message})`}`, { hint: "check the path", cause });
  }
  // A table file starts with one; a merged image written at 0x0, 0x1000 or 0x2000 holds it further in.
  const at = [0, offset, offset - 0x1000, offset - 0x2000].find((o) => o >= 0 && looksLikePartitionTable(bytes.subarray(o)));
  if (at === undefined) {
    throw new EspsyncError("PARTITION_TABLE_INVALID", `${file} holds no partition table (no AA 50 entry at its start or at the table offset of a merged image)`, {
      hint: "give build/partition_table/partition-table.bin or a merged image",
    });
  }
  const table = parsePartitionTable(bytes.subarray(at));
  if (at > 0) out.say(`partition table at file offset ${formatHex(at, 4)}`);
  for (const line of partitionLines(table)) out.result(line);
  const failure = table.valid ? undefined : invalidTable(file, table);
  if (failure) out.stderr(renderError(failure, ctx.globals.debug));
  if (ctx.globals.json) {
    ctx.emitJson({ ok: failure === undefined, command: "partitions", file, fileOffset: at, table, ...(failure && { error: errorToJson(failure) }) });
  }
  return failure ? EXIT.usage : EXIT.ok;
}

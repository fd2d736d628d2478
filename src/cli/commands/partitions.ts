/**
 * `espsync partitions FILE | --from-chip`: the partition table as a table — name, type, subtype,
 * offset, size, flags — from a file (a binary table, an ESP-IDF CSV compiled as gen_esp32part.py
 * compiles it, or a merged image holding a table) or read from a board.
 */
import path from "node:path";
import { EspsyncError, hex32 } from "../../errors.js";
import {
  CHIP_FACTS,
  PARTITION_TABLE_MAX_BYTES,
  PARTITION_TABLE_OFFSET,
  isImageChip,
  looksLikePartitionTable,
  nodeInputFs,
  parsePartitionTable,
  partitionTableFromFile,
  readInputFile,
  type PartitionTable,
} from "../../image/index.js";
import { readOnlyWork } from "../board-activity.js";
import { finishBoards, requireOneBoard, runOnBoards } from "../boards.js";
import type { CommandSpec } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { parseFlashAddress, requireInFlash } from "../numbers.js";
import { requireWritableFile, writeOutputFile } from "../output-file.js";
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
    hint: "Regenerate it from its CSV (idf.py partition-table) and flash it again",
  });
}

export const partitionsCommand: CommandSpec = {
  command: "partitions [file]",
  aliases: ["partition-table"],
  describe: "Show a partition table from a file or from the chip (--from-chip)",
  examples: [
    ["espsync partitions partition-table.bin", "show a built table (build/partition_table/)"],
    ["espsync partitions firmware.bin", "the table inside a merged image"],
    ["espsync partitions partitions.csv -o partition-table.bin", "compile a CSV table, as gen_esp32part.py does"],
    ["espsync partitions --from-chip -p /dev/ttyUSB0", "read the table from the board"],
  ],
  builder: (y) =>
    y
      .positional("file", { type: "string", describe: "Partition table .bin or .csv, or a merged image holding a table" })
      .option("output", { alias: "o", type: "string", describe: "Also write the binary table (compiled from a CSV) to this file" })
      .option("from-chip", { type: "boolean", default: false, describe: "Read the table from the board's flash" })
      .option("offset", { type: "string", describe: `Flash offset of the table (default ${hex32(PARTITION_TABLE_OFFSET)}); a CSV's empty offsets start after it` }),
  run: async (args, ctx) => {
    const offset = args.offset === undefined ? PARTITION_TABLE_OFFSET : parseFlashAddress(args.offset, "--offset");
    const fromChip = args["from-chip"] === true;
    if (fromChip === (typeof args.file === "string")) {
      throw new EspsyncError("USAGE", fromChip ? "give a FILE or --from-chip, not both" : "no partition table given", { hint: "For example: espsync partitions partition-table.bin, or espsync partitions --from-chip -p auto" });
    }
    if (fromChip && args.output !== undefined) throw new EspsyncError("USAGE", "--output works with a FILE, not with --from-chip", { hint: "Use espsync read 0x8000 0x1000 table.bin to save the table on the chip" });
    const out = new Output(ctx.io, ctx.globals);
    if (!fromChip) return fromFile(String(args.file), offset, typeof args.output === "string" ? args.output : undefined, ctx, out);
    const url = requireOneBoard("partitions --from-chip", await selectPorts(ctx.globals.ports, portFinder(ctx.io, ctx.globals)));
    try {
      const outcomes = await runOnBoards<PartitionsJson>([url], ctx, out, async (board) => {
        requireInFlash(offset, PARTITION_TABLE_MAX_BYTES, board.device.chip.flashSizeBytes, "espsync partitions");
        // One read of 3 KiB: it is over in a moment, so a stop comes after it.
        board.activity.working(readOnlyWork(() => `reading the partition table at ${hex32(offset)}`, "unchanged: reading the table writes nothing"));
        const bytes = await board.device.read(offset, PARTITION_TABLE_MAX_BYTES, (d, t) => board.progress.bytes(`reading ${hex32(offset)}`, d, t));
        board.progress.clear();
        if (!looksLikePartitionTable(bytes)) {
          throw new EspsyncError("PARTITION_TABLE_INVALID", `no partition table at ${hex32(offset)} on the chip (first bytes ${formatHex(bytes[0] ?? 0, 2)} ${formatHex(bytes[1] ?? 0, 2)})`, {
            hint: "Flash a build first, or give --offset if the table is elsewhere",
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

/** A CSV by name, or a file holding no binary table that reads as text (gen_esp32part.py's rule: not `AA 50`). */
function isCsv(file: string, bytes: Uint8Array): boolean {
  return /\.csv$/i.test(file) || (!looksLikePartitionTable(bytes) && !bytes.subarray(0, 0x1000).includes(0));
}

async function fromFile(file: string, offset: number, output: string | undefined, ctx: Parameters<CommandSpec["run"]>[1], out: Output): Promise<number> {
  let bytes = await readInputFile(nodeInputFs, path.resolve(ctx.io.cwd, file), file, { directory: "Name the partition table file inside it (ESP-IDF: build/partition_table/partition-table.bin)." });
  if (output !== undefined) await requireWritableFile(path.resolve(ctx.io.cwd, output), output);
  const csv = isCsv(file, bytes);
  let at: number | undefined = 0;
  if (csv) {
    // The chip, when named, places `bootloader` lines; the table offset places empty offsets.
    const chip = ctx.globals.chip !== "auto" && isImageChip(ctx.globals.chip) ? ctx.globals.chip : undefined;
    bytes = partitionTableFromFile(bytes, file, { tableOffset: offset, ...(chip !== undefined && { bootloaderOffset: CHIP_FACTS[chip].bootloaderOffset }) });
    out.say(`compiled from CSV for a table at ${hex32(offset)}`);
  } else {
    // A table file starts with one; a merged image written at 0x0, 0x1000 or 0x2000 holds it further in.
    at = [0, offset, offset - 0x1000, offset - 0x2000].find((o) => o >= 0 && looksLikePartitionTable(bytes.subarray(o)));
  }
  if (at === undefined) {
    throw new EspsyncError("PARTITION_TABLE_INVALID", `${file} holds no partition table (no AA 50 entry at its start or at the table offset of a merged image)`, {
      hint: "Give build/partition_table/partition-table.bin, its partitions.csv, or a merged image",
    });
  }
  const tableBytes = bytes.subarray(at, at + PARTITION_TABLE_MAX_BYTES);
  const table = parsePartitionTable(tableBytes);
  if (at > 0) out.say(`partition table at file offset ${formatHex(at, 4)}`);
  for (const line of partitionLines(table)) out.result(line);
  const failure = table.valid ? undefined : invalidTable(file, table);
  if (failure) out.stderr(renderError(failure, ctx.globals.debug));
  else if (output !== undefined) {
    await writeOutputFile(path.resolve(ctx.io.cwd, output), output, tableBytes);
    out.say(`wrote the ${formatHex(tableBytes.length, 3)}-byte table to ${output}`);
  }
  if (ctx.globals.json) {
    ctx.emitJson({ ok: failure === undefined, command: "partitions", file, format: csv ? "csv" : "binary", fileOffset: at, table, ...(failure && { error: errorToJson(failure) }) });
  }
  return failure ? EXIT.usage : EXIT.ok;
}

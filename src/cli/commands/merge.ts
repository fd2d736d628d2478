/**
 * `espsync merge -o OUT …`: the images `flash` would write, joined into one file for production —
 * raw (written at one address), Intel HEX or UF2 — like esptool's `merge-bin`. The inputs are read and
 * checked exactly as `flash` reads and checks them (pairs, `--build`, `--flasher-args`, ELF apps,
 * header patching); no port is opened.
 */
import path from "node:path";
import { EspsyncError, hex32 } from "../../errors.js";
import { MERGE_FORMATS, completeElfApps, mergeImageSet, type ImageSet, type ImageSetWithElf, type MergeFormat, type MergedImage } from "../../image/index.js";
import type { CommandContext, CommandSpec } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { hideUnusedConnectionOptions } from "../global-options.js";
import { loadImages, withImageOptions } from "../image-args.js";
import { parseFlashAddress, parseSize } from "../numbers.js";
import { requireWritableFile, writeOutputFile } from "../output-file.js";
import { formatBytes, formatHex } from "../render/format.js";
import { Output } from "../render/output.js";
import { renderTable } from "../render/table.js";

/** The `--json` document of merge. */
export interface MergeDocument {
  readonly ok: true;
  readonly command: "merge";
  readonly file: string;
  readonly format: MergeFormat;
  readonly sizeBytes: number;
  /** Raw: where to flash the file. HEX, UF2: the lowest address in it. */
  readonly addr: number;
  readonly dataEndAddr: number;
  readonly chip: string | null;
  readonly familyId: number | null;
  readonly parts: MergedImage["parts"];
}

function optionalString(args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  return value === undefined ? undefined : String(value);
}

function parseChunkSize(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^(0x[0-9a-f]+|\d+)$/i.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw new EspsyncError("USAGE", `--chunk-size "${text}" is not a number`, { hint: "Give the UF2 payload size in bytes, e.g. --chunk-size 256" });
  return value;
}

/** ELF apps wait for a chip to place them; a merged file has none, so the chip must be known and the default layout places them. */
function completeForMerge(images: ImageSetWithElf): ImageSet {
  const pending = images.elfApps;
  if (pending === undefined) return images;
  if (pending.chip === undefined) {
    throw new EspsyncError("USAGE", `the chip ${pending.apps.map((a) => a.path).join(", ")} is built for is not known`, { hint: "Name it with --chip, e.g. --chip esp32c3" });
  }
  return completeElfApps(images, { chip: pending.chip.chip });
}

/** `espsync merge`: the command table entry. */
export const mergeCommand: CommandSpec = {
  command: "merge [pairs..]",
  aliases: ["merge-bin", "merge_bin"],
  describe: "Join images into one file for production: raw, Intel HEX or UF2 (no port)",
  examples: [
    ["espsync merge -o merged.bin --build build", "an ESP-IDF build as one binary, to flash at its lowest address"],
    ["espsync merge -o merged.bin 0x0 bootloader.bin 0x8000 partition-table.bin 0x10000 app.bin --fill-flash-size 4MB", "a full 4 MB flash image"],
    ["espsync merge -o merged.hex --format hex --build build", "Intel HEX for a programmer"],
    ["espsync merge -o merged.uf2 --format uf2 --chip esp32s3 --build build", "UF2 for the ESP USB Bridge"],
    ["espsync merge -o merged.bin --build build --flash-mode dio --flash-size 4MB", "with the bootloader header patched"],
  ],
  // It writes a file; of the connection options only --chip (the chip the images are for) applies.
  builder: (y) =>
    withImageOptions(hideUnusedConnectionOptions(y, ["chip"]))
      .option("output", { alias: "o", type: "string", describe: "The merged file to write", group: "Merge:" })
      .option("format", { alias: "f", type: "string", choices: MERGE_FORMATS, default: "raw", describe: "raw: one binary for one address; hex: Intel HEX; uf2: UF2 blocks", group: "Merge:" })
      .option("target-offset", { alias: "t", type: "string", describe: "raw: the flash address the file will be written at (default: the lowest image address)", group: "Merge:" })
      .option("fill-flash-size", { alias: "pad-to-size", type: "string", describe: "raw: pad with 0xFF up to this flash size (4MB, 0x400000)", group: "Merge:" })
      .option("chunk-size", { type: "string", describe: "uf2: payload bytes per block, a multiple of 4 (default 452; 256 is common)", group: "Merge:" })
      .option("md5-disable", { type: "boolean", default: false, describe: "uf2: leave out the per-block MD5 entry", group: "Merge:" }),
  run: async (args, ctx) => {
    const output = optionalString(args, "output");
    if (output === undefined || output === "") throw new EspsyncError("USAGE", "no output file: espsync merge needs -o FILE", { hint: "For example: espsync merge -o merged.bin --build build" });
    const target = path.resolve(ctx.io.cwd, output);
    const format = (optionalString(args, "format") ?? "raw") as MergeFormat;
    const targetText = optionalString(args, "target-offset");
    const fillText = optionalString(args, "fill-flash-size");
    const chunkSizeBytes = parseChunkSize(optionalString(args, "chunk-size"));
    const options = {
      format,
      ...(targetText !== undefined && { targetOffset: parseFlashAddress(targetText, "--target-offset") }),
      ...(fillText !== undefined && { fillToBytes: parseSize(fillText, "--fill-flash-size") }),
      uf2: { ...(chunkSizeBytes !== undefined && { chunkSizeBytes }), md5: args["md5-disable"] !== true },
    };
    await requireWritableFile(target, output);
    const loaded = await loadImages(args, ctx.globals, ctx.io);
    if (loaded.flashSettings.flashSize === "detect") {
      throw new EspsyncError("USAGE", "--flash-size detect needs a chip to ask; a merged file is made without one", { hint: "Give the flash size, e.g. --flash-size 4MB" });
    }
    const merged = mergeImageSet(completeForMerge(loaded), options);
    await writeOutputFile(target, output, merged.data);
    report(merged, output, loaded, ctx);
    return EXIT.ok;
  },
};

function report(merged: MergedImage, output: string, loaded: ImageSet, ctx: CommandContext): void {
  const out = new Output(ctx.io, ctx.globals);
  const settings = loaded.flashSettings;
  const asked = [settings.flashMode, settings.flashFreq, settings.flashSize].some((s) => s !== undefined && s !== "keep");
  if (asked && !merged.parts.some((p) => p.patched)) {
    out.warn(`no bootloader header was patched: no valid bootloader image at ${merged.chip ?? "the chip"}'s bootloader offset among the inputs`);
  }
  const rows = merged.parts.map((p) => [hex32(p.addr), formatHex(p.sizeBytes, 6), p.kind + (p.patched ? " (header patched)" : ""), path.basename(p.sourcePath)]);
  for (const line of renderTable(["Address", "Size", "Kind", "File"], rows)) out.say(line);
  const where = merged.format === "raw" ? `flash it at ${hex32(merged.addr)}` : merged.format === "uf2" ? `UF2 family ${formatHex(merged.familyId ?? 0, 8)} (${merged.chip})` : "Intel HEX";
  out.result(`Wrote ${output}: ${formatBytes(merged.data.length)} (${formatHex(merged.data.length, 1)}), ${merged.format}, ${where}`);
  out.close();
  if (ctx.globals.json) {
    const doc: MergeDocument = {
      ok: true, command: "merge", file: output, format: merged.format, sizeBytes: merged.data.length, addr: merged.addr,
      dataEndAddr: merged.dataEndAddr, chip: merged.chip ?? null, familyId: merged.familyId ?? null, parts: merged.parts,
    };
    ctx.emitJson(doc);
  }
}

/**
 * The image inputs `flash` and `verify` share — `ADDR FILE` pairs, `--build DIR`, `--flasher-args
 * FILE`, `--flash-mode/--flash-freq/--flash-size` — read and validated completely before any port is
 * opened, so bad input never touches a chip.
 */
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Argv } from "yargs";
import { EspsyncError } from "../errors.js";
import { plural } from "../util/plural.js";
import { attachElfApps, checkFlashSettings, checkPartitionTableSlot, readImageSet, validateImageSet, type ImageFs, type ImageInput, type ImageSetWithElf, type ReadImageSetResult } from "../image/index.js";
import { hex32 } from "../errors.js";
import type { GlobalOptions } from "./global-options.js";
import type { CliIo } from "./io.js";

/** Adds the image options to a command. */
export function withImageOptions(y: Argv): Argv {
  return y
    .positional("pairs", { type: "string", array: true, describe: "ADDR FILE pairs, e.g. 0x0 bootloader.bin 0x8000 partition-table.bin 0x10000 app.bin; an ELF file alone (app.elf) goes to the app partition" })
    .option("build", { alias: "build-dir", type: "string", describe: "ESP-IDF build directory (flasher_args.json), Arduino-CLI build directory or PlatformIO project", group: "Images:" })
    .option("flasher-args", { type: "string", describe: "An ESP-IDF flasher_args.json", group: "Images:" })
    .option("partition-table", { alias: "T", type: "string", describe: "Partition table (.bin, or ESP-IDF .csv) written at 0x8000; an ELF without address goes to its app partition", group: "Images:" })
    .option("bootloader", { alias: "B", type: "string", describe: "Bootloader image written at the chip's bootloader offset", group: "Images:" })
    .option("flash-mode", { alias: "fm", type: "string", describe: "Bootloader header flash mode: keep (default), qio, qout, dio, dout", group: "Images:" })
    .option("flash-freq", { alias: "ff", type: "string", describe: "Bootloader header flash frequency: keep (default), 80m, 40m, …", group: "Images:" })
    .option("flash-size", { alias: "fs", type: "string", describe: "Bootloader header flash size: keep (default), detect, 4MB, …", group: "Images:" });
}

/** Node's file system with relative paths taken from `cwd` (messages keep the paths as written). */
function fsFrom(cwd: string): ImageFs {
  const at = (f: string): string => path.resolve(cwd, f);
  return { readFile: (f) => readFile(at(f)), stat: (f) => stat(at(f)), readdir: (d) => readdir(at(d)) };
}

/** A positional meant as an address (`0x…` or digits), even a mistyped one, rather than a file name. */
const ADDRESS_LIKE = /^(0x|\d+$)/i;

/** Splits the positionals into `ADDR FILE` pairs and files given alone (ELF apps). */
function splitPositionals(raw: readonly string[]): { pairs: [string, string][]; alone: string[] } {
  const pairs: [string, string][] = [];
  const alone: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const token = raw[i] as string;
    if (!ADDRESS_LIKE.test(token)) {
      alone.push(token);
      continue;
    }
    const file = raw[i + 1];
    if (file === undefined) {
      throw new EspsyncError("USAGE", `ADDR FILE pairs are incomplete: ${plural(raw.length, "value")} given, the last one (${token}) has no partner`, {
        hint: "Give each file its flash address, e.g. espsync flash 0x10000 app.bin",
      });
    }
    pairs.push([token, file]);
    i++;
  }
  return { pairs, alone };
}

/** The parsed image input of a command's arguments. Throws USAGE for contradictory options. */
export function imageInput(args: Record<string, unknown>, globals: GlobalOptions, cwd: string): ImageInput {
  const { pairs, alone } = splitPositionals(((args.pairs as unknown[] | undefined) ?? []).map(String));
  const build = typeof args.build === "string" ? args.build : undefined;
  const flasherArgs = typeof args["flasher-args"] === "string" ? args["flasher-args"] : undefined;
  if (build !== undefined && flasherArgs !== undefined) {
    throw new EspsyncError("USAGE", "--build and --flasher-args both given", { hint: "Use one: --build DIR finds flasher_args.json itself" });
  }
  const str = (key: string): string | undefined => (typeof args[key] === "string" ? (args[key] as string) : undefined);
  const partitionTable = str("partition-table");
  const bootloader = str("bootloader");
  if (pairs.length === 0 && alone.length === 0 && build === undefined && flasherArgs === undefined && partitionTable === undefined && bootloader === undefined) {
    throw new EspsyncError("USAGE", "nothing to flash: no ADDR FILE pairs, no ELF file, no --build and no --flasher-args", {
      hint: "For example: espsync flash 0x10000 app.bin, espsync flash app.elf, or espsync flash --build build",
    });
  }
  const flashMode = str("flash-mode");
  const flashFreq = str("flash-freq");
  const flashSize = str("flash-size");
  return {
    pairs,
    ...(alone.length > 0 && { elfFiles: alone }),
    ...(partitionTable !== undefined && { partitionTable }),
    ...(bootloader !== undefined && { bootloader }),
    ...(build !== undefined && { buildDir: path.resolve(cwd, build) }),
    ...(flasherArgs !== undefined && { flasherArgs: path.resolve(cwd, flasherArgs) }),
    ...(globals.chip !== "auto" && { chip: globals.chip }),
    ...(flashMode !== undefined && { flashMode: flashMode.toLowerCase() }),
    ...(flashFreq !== undefined && { flashFreq: flashFreq.toLowerCase() }),
    ...(flashSize !== undefined && { flashSize: flashSize.toUpperCase() === "KEEP" || flashSize.toLowerCase() === "detect" ? flashSize.toLowerCase() : flashSize.toUpperCase() }),
  };
}

/**
 * Reads and validates the images (every pre-connect check). Throws the first problem. ELF apps that
 * need the connected chip (its identity or partition table) come back pending: see `imagesForBoard`.
 */
export async function loadImages(args: Record<string, unknown>, globals: GlobalOptions, io: CliIo): Promise<ReadImageSetResult & ImageSetWithElf> {
  const input = imageInput(args, globals, io.cwd);
  const set = await readImageSet(input, fsFrom(io.cwd));
  // Mode and size names are the same for every chip; the frequency needs the chip, checked when known.
  checkFlashSettings(set.chip ?? "esp32", { ...set.flashSettings, ...(set.chip === undefined && { flashFreq: "keep" }) });
  validateImageSet(set);
  checkPartitionTableSlot(set, { force: args.force === true });
  return { ...set, ...attachElfApps(set, set.elfInputs ?? []) };
}

/** `app.bin at 0x00010000`. */
export function regionName(sourcePath: string, addr: number): string {
  return `${path.basename(sourcePath)} at ${hex32(addr)}`;
}

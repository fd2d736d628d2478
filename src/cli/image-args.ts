/**
 * The image inputs `flash` and `verify` share — `ADDR FILE` pairs, `--build DIR`, `--flasher-args
 * FILE`, `--flash-mode/--flash-freq/--flash-size` — read and validated completely before any port is
 * opened, so bad input never touches a chip.
 */
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Argv } from "yargs";
import { EspsyncError } from "../errors.js";
import { checkFlashSettings, readImageSet, validateImageSet, type ImageFs, type ImageInput, type ReadImageSetResult } from "../image/index.js";
import { hex32 } from "../errors.js";
import type { GlobalOptions } from "./global-options.js";
import type { CliIo } from "./io.js";

/** Adds the image options to a command. */
export function withImageOptions(y: Argv): Argv {
  return y
    .positional("pairs", { type: "string", array: true, describe: "ADDR FILE pairs, e.g. 0x0 bootloader.bin 0x8000 partition-table.bin 0x10000 app.bin" })
    .option("build", { alias: "build-dir", type: "string", describe: "ESP-IDF build directory (flasher_args.json), Arduino-CLI build directory or PlatformIO project", group: "Images:" })
    .option("flasher-args", { type: "string", describe: "An ESP-IDF flasher_args.json", group: "Images:" })
    .option("flash-mode", { alias: "fm", type: "string", describe: "Bootloader header flash mode: keep (default), qio, qout, dio, dout", group: "Images:" })
    .option("flash-freq", { alias: "ff", type: "string", describe: "Bootloader header flash frequency: keep (default), 80m, 40m, …", group: "Images:" })
    .option("flash-size", { alias: "fs", type: "string", describe: "Bootloader header flash size: keep (default), detect, 4MB, …", group: "Images:" });
}

/** Node's file system with relative paths taken from `cwd` (messages keep the paths as written). */
function fsFrom(cwd: string): ImageFs {
  const at = (f: string): string => path.resolve(cwd, f);
  return { readFile: (f) => readFile(at(f)), stat: (f) => stat(at(f)), readdir: (d) => readdir(at(d)) };
}

/** The parsed image input of a command's arguments. Throws USAGE for contradictory options. */
export function imageInput(args: Record<string, unknown>, globals: GlobalOptions, cwd: string): ImageInput {
  const raw = ((args.pairs as unknown[] | undefined) ?? []).map(String);
  if (raw.length % 2 !== 0) {
    throw new EspsyncError("USAGE", `ADDR FILE pairs are incomplete: ${raw.length} values given, the last one (${raw[raw.length - 1]}) has no partner`, {
      hint: "give each file its flash address, e.g. espsync flash 0x10000 app.bin",
    });
  }
  const pairs: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string]);
  const build = typeof args.build === "string" ? args.build : undefined;
  const flasherArgs = typeof args["flasher-args"] === "string" ? args["flasher-args"] : undefined;
  if (build !== undefined && flasherArgs !== undefined) {
    throw new EspsyncError("USAGE", "--build and --flasher-args both given", { hint: "use one: --build DIR finds flasher_args.json itself" });
  }
  if (pairs.length === 0 && build === undefined && flasherArgs === undefined) {
    throw new EspsyncError("USAGE", "nothing to flash: no ADDR FILE pairs, no --build and no --flasher-args", {
      hint: "e.g. espsync flash 0x10000 app.bin, or espsync flash --build build",
    });
  }
  const str = (key: string): string | undefined => (typeof args[key] === "string" ? (args[key] as string) : undefined);
  const flashMode = str("flash-mode");
  const flashFreq = str("flash-freq");
  const flashSize = str("flash-size");
  return {
    pairs,
    ...(build !== undefined && { buildDir: path.resolve(cwd, build) }),
    ...(flasherArgs !== undefined && { flasherArgs: path.resolve(cwd, flasherArgs) }),
    ...(globals.chip !== "auto" && { chip: globals.chip }),
    ...(flashMode !== undefined && { flashMode: flashMode.toLowerCase() }),
    ...(flashFreq !== undefined && { flashFreq: flashFreq.toLowerCase() }),
    ...(flashSize !== undefined && { flashSize: flashSize.toUpperCase() === "KEEP" || flashSize.toLowerCase() === "detect" ? flashSize.toLowerCase() : flashSize.toUpperCase() }),
  };
}

/** Reads and validates the images (every pre-connect check). Throws the first problem. */
export async function loadImages(args: Record<string, unknown>, globals: GlobalOptions, io: CliIo): Promise<ReadImageSetResult> {
  const input = imageInput(args, globals, io.cwd);
  const set = await readImageSet(input, fsFrom(io.cwd));
  // Mode and size names are the same for every chip; the frequency needs the chip, checked when known.
  checkFlashSettings(set.chip ?? "esp32", { ...set.flashSettings, ...(set.chip === undefined && { flashFreq: "keep" }) });
  validateImageSet(set);
  return set;
}

/** `app.bin at 0x00010000`. */
export function regionName(sourcePath: string, addr: number): string {
  return `${path.basename(sourcePath)} at ${hex32(addr)}`;
}

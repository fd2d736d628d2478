/**
 * Reads the user's inputs into an {@link ImageSet}: ADDR FILE pairs, an ESP-IDF flasher_args.json
 * (or a build directory holding one), an Arduino-CLI build directory or a PlatformIO build directory.
 * The only I/O of the image layer; the file system is injectable for tests.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { EspsyncError, hex32 } from "../errors.js";
import { flashSizeBytes, type FlashSettings } from "./bootloader-patch.js";
import { CHIP_FACTS, DEFAULT_APP_OFFSET, PARTITION_TABLE_OFFSET, type ImageChip } from "./chip-table.js";
import { parseAddress } from "./address.js";
import type { ElfApp } from "./elf-apps.js";
import { parseFlasherArgs, type FlasherArgs } from "./flasher-args.js";
import { buildImageSet, guessChip, type ImageSet, type LoadedFile } from "./image-set.js";
import { nodeInputFs, readInputFile, type InputFs } from "./input-file.js";
import { readAppInputs, type AppInputs } from "./read-app-inputs.js";

/** The file-system calls the reader makes (node:fs/promises by default). */
export interface ImageFs extends InputFs {
  readdir(dir: string): Promise<string[]>;
}

/** Node's file system. */
export const nodeImageFs: ImageFs = { ...nodeInputFs, readdir: (d) => readdir(d) };

/** What the user asked to flash. Give `pairs`, `buildDir`, `flasherArgs` or ELF files (`elfFiles`). */
export interface ImageInput extends AppInputs {
  /** esptool-style pairs: `[["0x1000", "bootloader.bin"], …]`. */
  readonly pairs?: readonly (readonly [string, string])[];
  /** An ESP-IDF, Arduino-CLI or PlatformIO build directory (or a PlatformIO project). */
  readonly buildDir?: string;
  /** Path of a flasher_args.json. */
  readonly flasherArgs?: string;
  /** Chip named by the user (`--chip`). */
  readonly chip?: ImageChip;
  readonly flashMode?: string;
  readonly flashFreq?: string;
  /** `keep` (default), `detect`, or a size such as `4MB`. */
  readonly flashSize?: string;
}

/** An {@link ImageSet} plus what flasher_args.json said about resetting, when one was read. */
export interface ReadImageSetResult extends ImageSet {
  readonly flasherArgs?: FlasherArgs;
  /** ELF files among the inputs, not yet converted (see `attachElfApps`); absent when none. */
  readonly elfInputs?: readonly ElfApp[];
}

async function loadFile(fs: ImageFs, addr: number, file: string): Promise<LoadedFile> {
  return { addr, path: file, bytes: await readImageFile(fs, file, `${file} (for ${hex32(addr)})`) };
}

/** An image file's bytes; a directory is probably meant as a build directory. */
function readImageFile(fs: ImageFs, file: string, where: string): Promise<Uint8Array> {
  return readInputFile(fs, file, where, { directory: "Name the image file, or pass the directory as a build directory.", empty: "Rebuild it; an empty image would only erase flash." });
}

async function exists(fs: ImageFs, file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function isDir(fs: ImageFs, dir: string): Promise<boolean> {
  try {
    return (await fs.stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

function buildDirError(dir: string, why: string): EspsyncError {
  return new EspsyncError("BUILD_DIR_INVALID", `${dir}: ${why}`, {
    hint: "Pass an ESP-IDF build directory (with flasher_args.json), an Arduino-CLI build directory or a PlatformIO project, or ADDR FILE pairs.",
  });
}

/** Files of an Arduino-CLI or PlatformIO build at their standard offsets; chip from input or headers. */
async function standardLayout(fs: ImageFs, dir: string, names: { boot: string; table: string; app: string; bootApp0?: string }, chip: ImageChip | undefined): Promise<LoadedFile[]> {
  const table = await loadFile(fs, PARTITION_TABLE_OFFSET, path.join(dir, names.table));
  const app = await loadFile(fs, DEFAULT_APP_OFFSET, path.join(dir, names.app));
  const bootPath = path.join(dir, names.boot);
  const bootBytes = (await loadFile(fs, 0, bootPath)).bytes;
  const bootChip = chip ?? guessChipFromBootloader(bootBytes);
  if (bootChip === undefined) throw buildDirError(dir, `cannot tell the chip from ${names.boot}; pass --chip`);
  const files: LoadedFile[] = [{ addr: CHIP_FACTS[bootChip].bootloaderOffset, path: bootPath, bytes: bootBytes }, table, app];
  if (names.bootApp0 !== undefined && (await exists(fs, path.join(dir, names.bootApp0)))) {
    files.push(await loadFile(fs, 0xe000, path.join(dir, names.bootApp0)));
  }
  return files;
}

function guessChipFromBootloader(bytes: Uint8Array): ImageChip | undefined {
  for (const off of [0x0, 0x1000, 0x2000]) {
    const g = guessChip([{ addr: off, path: "", bytes }]);
    if (g !== undefined) return g.chip;
  }
  return undefined;
}

async function readBuildDir(fs: ImageFs, dir: string, chip: ImageChip | undefined): Promise<{ files: LoadedFile[]; args?: FlasherArgs }> {
  if (!(await isDir(fs, dir))) throw buildDirError(dir, "not a directory");
  const fa = path.join(dir, "flasher_args.json");
  if (await exists(fs, fa)) return readFlasherArgs(fs, fa);
  const entries = await fs.readdir(dir);
  const sketch = entries.find((e) => e.endsWith(".ino.bin"));
  if (sketch !== undefined) {
    const stem = sketch.slice(0, -".bin".length);
    return { files: await standardLayout(fs, dir, { boot: `${stem}.bootloader.bin`, table: `${stem}.partitions.bin`, app: sketch, bootApp0: "boot_app0.bin" }, chip) };
  }
  const pio = { boot: "bootloader.bin", table: "partitions.bin", app: "firmware.bin" };
  if (entries.includes("firmware.bin")) return { files: await standardLayout(fs, dir, pio, chip) };
  const envRoot = path.join(dir, ".pio", "build");
  if (await isDir(fs, envRoot)) {
    const envs: string[] = [];
    for (const e of await fs.readdir(envRoot)) if (await exists(fs, path.join(envRoot, e, "firmware.bin"))) envs.push(e);
    if (envs.length === 1) return { files: await standardLayout(fs, path.join(envRoot, envs[0] as string), pio, chip) };
    if (envs.length > 1) throw buildDirError(dir, `several PlatformIO environments are built (${envs.join(", ")})`);
  }
  throw buildDirError(dir, "no flasher_args.json, *.ino.bin or PlatformIO firmware.bin found");
}

async function readFlasherArgs(fs: ImageFs, file: string): Promise<{ files: LoadedFile[]; args: FlasherArgs }> {
  let text: string;
  try {
    text = Buffer.from(await readInputFile(fs, file, file, { missing: "Build the project first (idf.py build).", empty: "Rebuild the project (idf.py build) to regenerate flasher_args.json." })).toString("utf8");
  } catch (cause) {
    const e = cause as EspsyncError;
    throw new EspsyncError("FLASHER_ARGS_INVALID", e.message, { ...(e.hint !== undefined && { hint: e.hint }), cause });
  }
  const args = parseFlasherArgs(text, file);
  const files: LoadedFile[] = [];
  for (const f of args.files) {
    try {
      files.push(await loadFile(fs, f.addr, f.path));
    } catch (cause) {
      const e = cause as EspsyncError;
      throw new EspsyncError("FLASHER_ARGS_INVALID", `${file}: lists ${f.path} at ${hex32(f.addr)}, which cannot be used: ${e.message}`, {
        hint: "Rebuild the project (idf.py build) so every file flasher_args.json names exists.",
        cause,
      });
    }
  }
  return { files, args };
}

/** Reads and classifies the inputs. Does not validate; call `validateImageSet` before connecting. */
export async function readImageSet(input: ImageInput, fs: ImageFs = nodeImageFs): Promise<ReadImageSetResult> {
  let files: LoadedFile[] = [];
  let args: FlasherArgs | undefined;
  if (input.flasherArgs !== undefined) ({ files, args } = await readFlasherArgs(fs, input.flasherArgs));
  else if (input.buildDir !== undefined) ({ files, args } = await readBuildDir(fs, input.buildDir, input.chip));
  for (const [addrText, file] of input.pairs ?? []) files.push(await loadFile(fs, parseAddress(addrText, file), file));
  // ELF files (with or without an address), --bootloader and --partition-table.
  const app = await readAppInputs(input, files, (file, role) => readImageFile(fs, file, `${file} (${role})`));
  files = app.files;
  if (files.length === 0 && app.apps.length === 0) throw new EspsyncError("USAGE", "nothing to flash: no ADDR FILE pairs and no build directory", { hint: "Give ADDR FILE pairs, e.g. 0x10000 app.bin, or --build-dir." });

  const pick = (cli: string | undefined, fromArgs: string | undefined): string | undefined => (cli !== undefined && cli !== "keep" ? cli : fromArgs ?? cli);
  const flashSettings: FlashSettings = {
    flashMode: pick(input.flashMode, args?.flashSettings.flashMode) ?? "keep",
    flashFreq: pick(input.flashFreq, args?.flashSettings.flashFreq) ?? "keep",
    flashSize: pick(input.flashSize, args?.flashSettings.flashSize) ?? "keep",
  };
  const explicitSize = input.flashSize === undefined ? undefined : flashSizeBytes(input.flashSize);
  const chip = input.chip ?? args?.chip;
  const set = buildImageSet(files, {
    ...(chip !== undefined && { chip, chipSource: input.chip !== undefined ? "--chip" : "flasher_args.json" }),
    flashSettings,
    ...(explicitSize !== undefined && { flashSizeBytes: explicitSize }),
  });
  return { ...set, ...(args !== undefined && { flasherArgs: args }), ...(app.apps.length > 0 && { elfInputs: app.apps }) };
}

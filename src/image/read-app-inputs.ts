/**
 * The inputs of `flash`/`verify` that are not plain `ADDR FILE` images: ELF files (given with an
 * address, or alone for the app partition), `--bootloader FILE` (placed at its chip's bootloader
 * offset) and `--partition-table FILE` (binary, or CSV compiled as ESP-IDF does, placed at 0x8000).
 * Reading files is the caller's (`read`); everything here is checked before any port is opened.
 */
import { EspsyncError } from "../errors.js";
import { flashSizeBytes } from "./bootloader-patch.js";
import { CHIP_FACTS, PARTITION_TABLE_OFFSET, chipForId, describeChipId, type ImageChip } from "./chip-table.js";
import { elfApp, type ElfApp } from "./elf-apps.js";
import { isElf, parseElf } from "./elf-file.js";
import { ESP_IMAGE_MAGIC } from "./esp-image.js";
import type { LoadedFile } from "./image-set.js";
import { partitionTableFromFile } from "./partition-csv.js";

/** Reads a file the user named; `role` says what it is for in messages (`--bootloader`). */
export type InputReader = (file: string, role: string) => Promise<Uint8Array>;

/** The app inputs as the command line gave them. */
export interface AppInputs {
  /** Files given without an address: each must be an ELF (it goes to the app partition). */
  readonly elfFiles?: readonly string[];
  /** `--bootloader FILE`. */
  readonly bootloader?: string;
  /** `--partition-table FILE` (binary or CSV). */
  readonly partitionTable?: string;
  /** `--chip`, when given. */
  readonly chip?: ImageChip;
  /** `--flash-size`, when given (a CSV's partitions must fit it). */
  readonly flashSize?: string;
}

/** The chip and offset of a bootloader image: `--chip`'s, else the one its header names. */
function placeBootloader(bytes: Uint8Array, file: string, chip: ImageChip | undefined): { chip: ImageChip; addr: number } {
  if (isElf(bytes)) {
    throw new EspsyncError("IMAGE_INVALID", `${file} (--bootloader) is an ELF file; the bootloader is flashed as an image`, {
      hint: "Give the bootloader .bin (ESP-IDF: build/bootloader/bootloader.bin).",
    });
  }
  const chipId = (bytes[12] ?? 0) | ((bytes[13] ?? 0) << 8);
  const named = bytes[0] === ESP_IMAGE_MAGIC && bytes.length >= 24 ? chipForId(chipId) : undefined;
  const found = chip ?? named;
  if (found === undefined) {
    const what = bytes[0] === ESP_IMAGE_MAGIC ? `its header names ${describeChipId(chipId)}` : "it does not start with the 0xE9 image magic";
    throw new EspsyncError("IMAGE_INVALID", `${file} (--bootloader) is not a bootloader image for a chip espsync knows: ${what}`, {
      hint: "Give the bootloader .bin of a build for your chip, or name the chip with --chip.",
    });
  }
  return { chip: found, addr: CHIP_FACTS[found].bootloaderOffset };
}

/**
 * Takes the ELF files out of `files` (loaded `ADDR FILE` pairs) and reads the other app inputs.
 * Returns the files to flash as images and the ELF apps to convert. Throws `USAGE` for a file given
 * without an address that is not an ELF, `IMAGE_INVALID` for an unusable ELF or bootloader, and the
 * CSV compiler's `PARTITION_TABLE_INVALID` (with file, line and column).
 */
export async function readAppInputs(inputs: AppInputs, files: readonly LoadedFile[], read: InputReader): Promise<{ files: LoadedFile[]; apps: ElfApp[] }> {
  const apps: ElfApp[] = [];
  const images: LoadedFile[] = [];
  for (const f of files) {
    if (isElf(f.bytes)) apps.push(elfApp(f.path, f.bytes, parseElf(f.bytes, f.path), f.addr));
    else images.push(f);
  }
  for (const file of inputs.elfFiles ?? []) {
    const bytes = await read(file, "the app");
    if (!isElf(bytes)) {
      throw new EspsyncError("USAGE", `${file} is given without a flash address, and only an ELF file can go without one (to the app partition)`, {
        hint: `Give its address before it, e.g. espsync flash 0x10000 ${file}.`,
      });
    }
    apps.push(elfApp(file, bytes, parseElf(bytes, file)));
  }
  let chip = inputs.chip;
  if (inputs.bootloader !== undefined) {
    const bytes = await read(inputs.bootloader, "--bootloader");
    const placed = placeBootloader(bytes, inputs.bootloader, chip);
    chip = placed.chip;
    images.push({ addr: placed.addr, path: inputs.bootloader, bytes });
  }
  if (inputs.partitionTable !== undefined) {
    const bytes = await read(inputs.partitionTable, "--partition-table");
    const sizeBytes = inputs.flashSize === undefined ? undefined : flashSizeBytes(inputs.flashSize);
    const table = partitionTableFromFile(bytes, inputs.partitionTable, {
      ...(chip !== undefined && { bootloaderOffset: CHIP_FACTS[chip].bootloaderOffset }),
      ...(sizeBytes !== undefined && { flashSizeBytes: sizeBytes }),
    });
    images.push({ addr: PARTITION_TABLE_OFFSET, path: inputs.partitionTable, bytes: table });
  }
  return { files: images, apps };
}

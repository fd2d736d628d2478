/**
 * Converting an ELF file the user named (`image-info app.elf`, `elf2image app.elf`): for the chip
 * `--chip` names, else the one the ELF itself shows (build metadata, or the only chip whose address
 * map holds it). Refuses, with the candidates, when the ELF fits several chips and none is named.
 */
import { EspsyncError } from "../errors.js";
import { elfToImage, guessElfChip, parseElf, type ElfImage, type ElfToImageOptions } from "../image/index.js";
import type { GlobalOptions } from "./global-options.js";

/** The image made from an ELF and where its chip came from. */
export interface CliElfImage {
  readonly image: ElfImage;
  /** `--chip`, `build metadata` or `address map`. */
  readonly chipSource: string;
}

/** Converts `bytes` (the ELF `file`) with header `settings`; see the module comment. */
export function convertElfFile(bytes: Uint8Array, file: string, globals: GlobalOptions, settings: Omit<ElfToImageOptions, "chip" | "chipSource"> = {}): CliElfImage {
  const elf = parseElf(bytes, file);
  if (globals.chip !== "auto") return { image: elfToImage(bytes, file, { ...settings, chip: globals.chip, chipSource: "--chip" }), chipSource: "--chip" };
  const guess = guessElfChip(elf, file);
  if (guess.chip === undefined || guess.how === undefined) {
    throw new EspsyncError("USAGE", `${file}: the ELF fits more than one chip (${guess.candidates.join(", ")}), and no --chip names one`, {
      hint: `Name the chip, e.g. --chip ${guess.candidates[0] ?? "esp32c6"}.`,
    });
  }
  return { image: elfToImage(bytes, file, { ...settings, chip: guess.chip, chipSource: guess.how }), chipSource: guess.how };
}

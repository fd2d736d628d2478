/**
 * Which chip an ELF is for: the chip its build metadata names (esp-hal writes it), else every chip
 * whose CPU matches the ELF's machine and whose address map holds all its loaded sections — one
 * candidate settles it, several (the ESP32-C6, H2, C5 and C61 share much of their maps) leave the
 * choice to `--chip` or to the connected chip. And the check that an ELF suits a given chip.
 */
import { EspsyncError, hex32 } from "../errors.js";
import { IMAGE_CHIPS, isImageChip, type ImageChip } from "./chip-table.js";
import { ELF_MACHINES, type ElfFile } from "./elf-file.js";
import { CHIP_MEMORY_MAPS } from "./elf-memory-map.js";
import { metadataChipName } from "./elf-metadata.js";
import { sectionOutsideMap } from "./elf-segments.js";

/** What an ELF says about its chip. */
export interface ElfChipGuess {
  /** The chip, when it is certain. */
  readonly chip: ImageChip | undefined;
  /** How it is known: `build metadata` or `address map`. */
  readonly how: "build metadata" | "address map" | undefined;
  /** Every chip the ELF could be for (one when `chip` is set). */
  readonly candidates: readonly ImageChip[];
}

/** Chips whose CPU runs the ELF's machine code and whose memory map holds all of its sections. */
export function elfChipCandidates(elf: ElfFile): ImageChip[] {
  return IMAGE_CHIPS.filter((c) => CHIP_MEMORY_MAPS[c].arch === elf.arch && sectionOutsideMap(elf, c) === undefined);
}

/** What the ELF says about its chip; throws `IMAGE_INVALID` when no chip espsync knows can run it. */
export function guessElfChip(elf: ElfFile, fileName: string): ElfChipGuess {
  if (elf.arch === undefined) {
    throw new EspsyncError("IMAGE_INVALID", `${fileName}: ELF for machine ${elf.machine}, not for an ESP32-family CPU (Xtensa ${ELF_MACHINES.xtensa} or RISC-V ${ELF_MACHINES.riscv})`, {
      hint: "Build the app for an ESP32-family target.",
    });
  }
  const named = metadataChipName(elf);
  if (named !== undefined && isImageChip(named)) return { chip: named, how: "build metadata", candidates: [named] };
  const candidates = elfChipCandidates(elf);
  if (candidates.length === 0) {
    const chips = IMAGE_CHIPS.filter((c) => CHIP_MEMORY_MAPS[c].arch === elf.arch);
    throw new EspsyncError("IMAGE_INVALID", `${fileName}: its loaded sections do not fit the address map of any ${elf.arch} chip espsync knows (${chips.join(", ")})`, {
      hint: "Check that this is an application ELF for an ESP32-family chip, and its linker script.",
    });
  }
  const [only] = candidates;
  return candidates.length === 1 && only !== undefined ? { chip: only, how: "address map", candidates } : { chip: undefined, how: undefined, candidates };
}

/**
 * Throws `CHIP_MISMATCH` when the ELF is for another chip than `chip` (its CPU, its build metadata,
 * or sections outside `chip`'s address map that another chip's map holds), `IMAGE_INVALID` when its
 * sections fit no chip at all.
 */
export function checkElfForChip(elf: ElfFile, chip: ImageChip, fileName: string, chipSource: string): void {
  const guess = guessElfChip(elf, fileName);
  const mismatch = (why: string): EspsyncError =>
    new EspsyncError("CHIP_MISMATCH", `${fileName} is built for ${why}, but the chip is ${chip} (from ${chipSource})`, {
      hint: `Build the app for ${chip}, or flash it onto ${guess.candidates.join(" or ")}.`,
    });
  if (CHIP_MEMORY_MAPS[chip].arch !== elf.arch) throw mismatch(`${elf.arch === "xtensa" ? "an Xtensa" : "a RISC-V"} CPU (${guess.candidates.join(", ")})`);
  if (guess.how === "build metadata" && guess.chip !== chip) throw mismatch(`${guess.chip} (its build metadata says so)`);
  const outside = sectionOutsideMap(elf, chip);
  if (outside !== undefined) throw mismatch(`${guess.candidates.join(" or ")}: section ${outside.name} at ${hex32(outside.addr)} lies outside ${chip}'s address map`);
}

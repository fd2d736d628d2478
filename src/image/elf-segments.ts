/**
 * From ELF sections to image segments, as esptool's `elf2image` and espflash choose and join them:
 * the sections with contents that the program loads, split into flash-mapped (IROM/DROM) and RAM
 * ones by the chip's memory map, each group sorted by address and adjacent sections of the same
 * memory type merged (a gap that only 4-byte alignment would fill is zero-filled), lengths padded
 * to 4 bytes. Flash-mapped sections that land in the same MMU page — esptool refuses them ("lands in
 * same 64 KB flash mapping") — are taken as espflash takes them: both segments share the page's
 * mapping, so the file must hold them exactly as far apart as their addresses are. That works when
 * the gap between them holds the next segment's 8-byte header, or a padding segment (header and at
 * least 4 bytes) and that header — esp-hal leaves such a gap on purpose (`.text_gap`). Otherwise,
 * and always on the ESP32 (whose last-page padding may lengthen the first), they are merged, the gap
 * zero-filled.
 */
import { EspsyncError, hex32 } from "../errors.js";
import type { ImageChip } from "./chip-table.js";
import { SECTION_TYPES, type ElfFile, type ElfSection } from "./elf-file.js";
import { isFlashAddr, isLoadable, memoryTypes } from "./elf-memory-map.js";

/** One segment of the image to be: where it goes and its bytes. */
export interface ImageSegment {
  readonly addr: number;
  readonly data: Uint8Array;
  /** The ELF sections it holds (for messages and image-info). */
  readonly sections: readonly SectionRef[];
}

/** An ELF section as it went into a segment. */
export interface SectionRef {
  readonly name: string;
  readonly addr: number;
  readonly sizeBytes: number;
}

/** Section types whose contents the program loads (esptool's PROG_SEC_TYPES). */
const LOADED_TYPES: ReadonlySet<number> = new Set([SECTION_TYPES.progbits, SECTION_TYPES.initArray, SECTION_TYPES.finiArray, SECTION_TYPES.preinitArray]);
/** Names of the section holding `esp_app_desc_t`: ESP-IDF's, and esp-hal's (Rust). */
export const APP_DESC_SECTIONS: readonly string[] = [".flash.appdesc", ".rodata_desc"];

/**
 * The sections whose bytes go into the image: contents in the file, a run-time address, a size, and
 * flags (a section without flags — defmt tables, test metadata — is not part of the program).
 */
export function loadedSections(elf: ElfFile): ElfSection[] {
  return elf.sections.filter((s) => LOADED_TYPES.has(s.type) && s.addr !== 0 && s.sizeBytes > 0 && s.flags !== 0);
}

/** The first section outside the chip's flash and RAM, or undefined when all fit. */
export function sectionOutsideMap(elf: ElfFile, chip: ImageChip): ElfSection | undefined {
  return loadedSections(elf).find((s) => !isLoadable(chip, s.addr, s.sizeBytes));
}

interface Draft {
  addr: number;
  parts: Uint8Array[];
  sizeBytes: number;
  sections: SectionRef[];
}

const alignUp4 = (n: number): number => (n + 3) & ~3;
/** Segment header: load address u32, length u32 (PROTOCOL.md §5.4). */
const SEGMENT_HEADER_BYTES = 8;
const ref = (s: ElfSection): SectionRef => ({ name: s.name, addr: s.addr, sizeBytes: s.sizeBytes });

function append(into: Draft, s: ElfSection): void {
  const gap = s.addr - (into.addr + into.sizeBytes);
  if (gap > 0) into.parts.push(new Uint8Array(gap));
  into.parts.push(s.data);
  into.sizeBytes = s.addr + s.data.length - into.addr;
  into.sections.push(ref(s));
}

function finish(d: Draft): ImageSegment {
  const data = new Uint8Array(alignUp4(d.sizeBytes));
  let at = 0;
  for (const p of d.parts) {
    data.set(p, at);
    at += p.length;
  }
  return { addr: d.addr, data, sections: d.sections };
}

/**
 * Sorted, merged segments of one group. `joins(prevEnd, next)` says whether `next`, not contiguous
 * with the segment ending at `prevEnd`, must still be merged into it.
 */
function mergeGroup(chip: ImageChip, sections: readonly ElfSection[], fileName: string, joins: (prevEnd: number, next: ElfSection) => boolean): ImageSegment[] {
  const sorted = [...sections].sort((a, b) => a.addr - b.addr);
  const drafts: Draft[] = [];
  for (const s of sorted) {
    const last = drafts[drafts.length - 1];
    const lastEnd = last === undefined ? 0 : last.addr + last.sizeBytes;
    if (last !== undefined && s.addr < lastEnd) {
      throw new EspsyncError("IMAGE_INVALID", `${fileName}: section ${s.name} at ${hex32(s.addr)} overlaps ${last.sections[last.sections.length - 1]?.name} (which ends at ${hex32(lastEnd)})`, {
        hint: "Check the linker script: two loaded sections cannot share addresses.",
      });
    }
    const sameType = last !== undefined && memoryTypes(chip, last.addr).join() === memoryTypes(chip, s.addr).join();
    if (last !== undefined && ((sameType && s.addr <= alignUp4(lastEnd)) || joins(lastEnd, s))) append(last, s);
    else drafts.push({ addr: s.addr, parts: [s.data], sizeBytes: s.data.length, sections: [ref(s)] });
  }
  return drafts.map(finish);
}

/** The image's segments, flash-mapped and RAM, merged; see the module comment. */
export function collectSegments(elf: ElfFile, chip: ImageChip, mmuPageBytes: number, fileName: string): { flash: ImageSegment[]; ram: ImageSegment[] } {
  const outside = sectionOutsideMap(elf, chip);
  if (outside !== undefined) {
    throw new EspsyncError(
      "IMAGE_INVALID",
      `${fileName}: section ${outside.name} (${outside.sizeBytes} bytes at ${hex32(outside.addr)}) lies outside ${chip}'s flash-mapped and RAM address ranges`,
      { hint: `Check that the ELF is built for ${chip} (--chip), and its linker script.` },
    );
  }
  const sections = loadedSections(elf);
  const page = (addr: number): number => Math.floor(addr / mmuPageBytes);
  const placeable = (gap: number): boolean => chip !== "esp32" && (gap === SEGMENT_HEADER_BYTES || gap >= 2 * SEGMENT_HEADER_BYTES + 4);
  const samePage = (prevEnd: number, next: ElfSection): boolean => page(next.addr) <= page(prevEnd - 1);
  const flash = mergeGroup(chip, sections.filter((s) => isFlashAddr(chip, s.addr)), fileName, (prevEnd, next) => samePage(prevEnd, next) && !placeable(next.addr - alignUp4(prevEnd)));
  const ram = mergeGroup(chip, sections.filter((s) => !isFlashAddr(chip, s.addr)), fileName, () => false);
  // The app description must open the image (ESP-IDF reads it at image offset 0x20): its segment first.
  const descAddr = sections.find((s) => APP_DESC_SECTIONS.includes(s.name) && isFlashAddr(chip, s.addr))?.addr;
  const descAt = descAddr === undefined ? -1 : flash.findIndex((s) => s.addr <= descAddr && descAddr < s.addr + s.data.length);
  if (descAt > 0) flash.unshift(...flash.splice(descAt, 1));
  return { flash, ram };
}

/**
 * The build metadata esp-hal (Rust) links into an ELF: symbols in the `.espressif.metadata` section
 * whose bytes are strings, e.g. `build_info.CHIP_NAME` = `esp32c3` and, in newer builds,
 * `build_info.MIN_CHIP_REVISION` = `300`. espflash reads the same symbols to pick the chip and the
 * minimum revision; ESP-IDF and Zephyr ELFs have no such section.
 */
import { SECTION_TYPES, type ElfFile } from "./elf-file.js";

/** Name of the metadata section. */
export const METADATA_SECTION = ".espressif.metadata";
const SYMBOL_BYTES = 16;

/** The metadata strings of an ELF by symbol name; empty when it has none. */
export function readElfMetadata(elf: ElfFile): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  const section = elf.sections.find((s) => s.name === METADATA_SECTION);
  const symtab = elf.sections.find((s) => s.type === SECTION_TYPES.symtab);
  const strtab = symtab === undefined ? undefined : elf.sections[symtab.link];
  if (section === undefined || symtab === undefined || strtab === undefined) return out;
  const view = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
  for (let at = 0; at + SYMBOL_BYTES <= symtab.data.length; at += SYMBOL_BYTES) {
    if (view.getUint16(at + 14, true) !== section.index) continue;
    const start = view.getUint32(at + 4, true) - section.addr;
    const size = view.getUint32(at + 8, true);
    if (size === 0 || start < 0 || start + size > section.data.length) continue;
    const nameAt = view.getUint32(at, true);
    const nameEnd = strtab.data.indexOf(0, nameAt);
    const name = Buffer.from(strtab.data.subarray(nameAt, nameEnd < 0 ? strtab.data.length : nameEnd)).toString("latin1");
    out.set(name, Buffer.from(section.data.subarray(start, start + size)).toString("utf8"));
  }
  return out;
}

/** The chip the ELF says it was built for (`build_info.CHIP_NAME`), if it says. */
export function metadataChipName(elf: ElfFile): string | undefined {
  return readElfMetadata(elf).get("build_info.CHIP_NAME");
}

/** The minimum chip revision the ELF declares (major·100 + minor), if it declares one. */
export function metadataMinRevision(elf: ElfFile): number | undefined {
  const text = readElfMetadata(elf).get("build_info.MIN_CHIP_REVISION");
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

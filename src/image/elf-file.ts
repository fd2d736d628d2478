/**
 * Reader of 32-bit little-endian ELF files, the kind every ESP32-family toolchain (Xtensa GCC,
 * RISC-V GCC, rustc, Zephyr) links: the file header, the section headers with their names and data,
 * and the program headers. Only what the ELF → image conversion needs; nothing is relocated.
 * Throws `IMAGE_INVALID` naming the file for anything that is not such an ELF or is truncated.
 */
import { EspsyncError, hex32 } from "../errors.js";
import { plural } from "../util/plural.js";

/** `0x7F 'E' 'L' 'F'`. */
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;
/** ELF32 file header size, section header and program header entry sizes (System V ABI). */
const FILE_HEADER_BYTES = 0x34;
const SECTION_HEADER_BYTES = 0x28;
const PROGRAM_HEADER_BYTES = 0x20;

/** `e_machine` values of the chips' CPUs (System V ABI machine table). */
export const ELF_MACHINES = { xtensa: 0x5e, riscv: 0xf3 } as const;
/** A CPU architecture of the ESP32 family. */
export type ElfArch = keyof typeof ELF_MACHINES;

/** Section types the converter looks at (System V ABI). */
export const SECTION_TYPES = { progbits: 1, symtab: 2, strtab: 3, nobits: 8, initArray: 14, finiArray: 15, preinitArray: 16 } as const;
/** `sh_flags` bit: the section occupies memory at run time. */
export const SHF_ALLOC = 0x2;
/** `p_type` of a loadable segment. */
export const PT_LOAD = 1;

/** One section header, with its name and (for sections with file contents) its bytes. */
export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  /** Run-time address (`sh_addr`). */
  readonly addr: number;
  /** File offset of its contents (`sh_offset`). */
  readonly offset: number;
  readonly sizeBytes: number;
  /** `sh_link`: for a symbol table, the index of its string table. */
  readonly link: number;
  /** Contents (empty for `NOBITS` sections, which take no room in the file). */
  readonly data: Uint8Array;
}

/** One program header. */
export interface ElfProgramHeader {
  readonly type: number;
  readonly offset: number;
  readonly vaddr: number;
  /** Load address (`p_paddr`). */
  readonly paddr: number;
  readonly fileSizeBytes: number;
  readonly memSizeBytes: number;
  readonly flags: number;
}

/** A parsed ELF file. */
export interface ElfFile {
  /** `e_machine`. */
  readonly machine: number;
  /** The architecture, when `machine` is one of the chips' CPUs. */
  readonly arch: ElfArch | undefined;
  /** Entry point (`e_entry`). */
  readonly entry: number;
  readonly sections: readonly ElfSection[];
  readonly programHeaders: readonly ElfProgramHeader[];
}

/** True when `bytes` starts with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return ELF_MAGIC.every((b, i) => bytes[i] === b);
}

function invalid(fileName: string, why: string): EspsyncError {
  return new EspsyncError("IMAGE_INVALID", `${fileName}: not a usable ELF file: ${why}`, {
    hint: "Give the ELF the linker wrote (e.g. target/<triple>/release/<app> or build/<project>.elf), not a stripped or truncated copy.",
  });
}

function archOf(machine: number): ElfArch | undefined {
  return (Object.keys(ELF_MACHINES) as ElfArch[]).find((a) => ELF_MACHINES[a] === machine);
}

/** Parses an ELF32 little-endian file. `fileName` names it in errors. */
export function parseElf(bytes: Uint8Array, fileName: string): ElfFile {
  if (!isElf(bytes)) throw invalid(fileName, "no ELF magic (7f 45 4c 46) at its start");
  if (bytes.length < FILE_HEADER_BYTES) throw invalid(fileName, `${plural(bytes.length, "byte")}, shorter than the ELF header`);
  if (bytes[4] !== 1) throw invalid(fileName, `it is not a 32-bit ELF (EI_CLASS ${bytes[4]}); ESP32-family chips run 32-bit code`);
  if (bytes[5] !== 1) throw invalid(fileName, `it is not little-endian (EI_DATA ${bytes[5]})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => view.getUint16(o, true);
  const u32 = (o: number): number => view.getUint32(o, true);
  const machine = u16(18);
  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  const shstrndx = u16(50);

  const within = (offset: number, size: number): boolean => offset + size <= bytes.length;
  if (shnum === 0) throw invalid(fileName, "it has no section headers");
  if (shentsize !== SECTION_HEADER_BYTES) throw invalid(fileName, `section header entries are ${shentsize} bytes, expected ${SECTION_HEADER_BYTES}`);
  if (!within(shoff, shnum * SECTION_HEADER_BYTES)) throw invalid(fileName, `its ${shnum} section headers at file offset ${hex32(shoff)} run past the end of the file (truncated?)`);
  if (phnum > 0 && phentsize !== PROGRAM_HEADER_BYTES) throw invalid(fileName, `program header entries are ${phentsize} bytes, expected ${PROGRAM_HEADER_BYTES}`);
  if (!within(phoff, phnum * PROGRAM_HEADER_BYTES)) throw invalid(fileName, `its ${phnum} program headers at file offset ${hex32(phoff)} run past the end of the file (truncated?)`);

  const raw = Array.from({ length: shnum }, (_, index) => {
    const at = shoff + index * SECTION_HEADER_BYTES;
    return { index, nameOffset: u32(at), type: u32(at + 4), flags: u32(at + 8), addr: u32(at + 12), offset: u32(at + 16), sizeBytes: u32(at + 20), link: u32(at + 24) };
  });
  const contents = (s: (typeof raw)[number]): Uint8Array => {
    if (s.type === SECTION_TYPES.nobits || s.sizeBytes === 0) return new Uint8Array(0);
    if (!within(s.offset, s.sizeBytes)) throw invalid(fileName, `section ${s.index} (${s.sizeBytes} bytes at file offset ${hex32(s.offset)}) runs past the end of the file (truncated?)`);
    return bytes.subarray(s.offset, s.offset + s.sizeBytes);
  };
  const names = raw[shstrndx];
  if (names === undefined) throw invalid(fileName, `its section name table index ${shstrndx} is past its ${shnum} sections`);
  const nameTable = contents(names);
  const nameAt = (offset: number): string => {
    const end = nameTable.indexOf(0, offset);
    return Buffer.from(nameTable.subarray(offset, end < 0 ? nameTable.length : end)).toString("latin1");
  };
  const sections = raw.map((s): ElfSection => ({ index: s.index, name: nameAt(s.nameOffset), type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, sizeBytes: s.sizeBytes, link: s.link, data: contents(s) }));

  const programHeaders = Array.from({ length: phnum }, (_, i): ElfProgramHeader => {
    const at = phoff + i * PROGRAM_HEADER_BYTES;
    return { type: u32(at), offset: u32(at + 4), vaddr: u32(at + 8), paddr: u32(at + 12), fileSizeBytes: u32(at + 16), memSizeBytes: u32(at + 20), flags: u32(at + 24) };
  });
  return { machine, arch: archOf(machine), entry, sections, programHeaders };
}

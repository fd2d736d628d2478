/**
 * Writes small ELF32 little-endian files byte by byte from the System V ABI layout, independently of
 * the reader under test: a file header, the sections' contents, a section name table (and, for
 * build metadata, a symbol table), the section headers, and one PT_LOAD program header per loaded
 * section. Also `appDesc`, an `esp_app_desc_t` (PROTOCOL.md §5.5), and a reader of an ELF's loadable
 * bytes for the structural checks.
 */
import { createHash } from "node:crypto";

/** ELF machine numbers. */
export const EM_XTENSA = 0x5e;
export const EM_RISCV = 0xf3;
const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_NOBITS = 8;
/** SHF_WRITE | SHF_ALLOC, SHF_ALLOC | SHF_EXECINSTR. */
export const FLAGS_DATA = 0x3;
export const FLAGS_TEXT = 0x6;
export const FLAGS_RODATA = 0x2;

/** One section to write. */
export interface ElfSectionSpec {
  name: string;
  addr: number;
  /** Contents (PROGBITS). */
  data?: Uint8Array;
  /** Size of a NOBITS section (no contents in the file). */
  nobits?: number;
  flags?: number;
}

/** What {@link makeElf} writes. */
export interface ElfSpec {
  machine: number;
  entry: number;
  sections: ElfSectionSpec[];
  /** Symbols in an `.espressif.metadata` section, as esp-hal writes them (`build_info.CHIP_NAME` → `esp32c3`). */
  metadata?: Record<string, string>;
  /** ELF class byte (1 = 32-bit) and data byte (1 = little-endian), to write wrong ones. */
  elfClass?: number;
  elfData?: number;
}

/** Deterministic bytes: a SHA-256 chain of `seed`. */
export function pattern(length: number, seed: string): Uint8Array {
  const out = new Uint8Array(length);
  for (let o = 0, i = 0; o < length; o += 32, i++) out.set(createHash("sha256").update(`${seed}-${i}`).digest().subarray(0, Math.min(32, length - o)), o);
  return out;
}

/** A 256-byte `esp_app_desc_t` (PROTOCOL.md §5.5) with magic 0xABCD5432. */
export function appDesc(o: { project: string; version?: string; idf?: string; mmuPageLog2?: number }): Uint8Array {
  const d = new Uint8Array(256);
  new DataView(d.buffer).setUint32(0, 0xabcd5432, true);
  d.set(Buffer.from(o.version ?? "1.0.0"), 16);
  d.set(Buffer.from(o.project), 48);
  d.set(Buffer.from("12:00:00"), 80);
  d.set(Buffer.from("Jan  1 2025"), 96);
  d.set(Buffer.from(o.idf ?? "v5.2.2"), 112);
  d[180] = o.mmuPageLog2 ?? 0;
  return d;
}

class Writer {
  bytes: number[] = [];
  align(n: number): void {
    while (this.bytes.length % n !== 0) this.bytes.push(0);
  }
  put(data: Uint8Array | number[]): number {
    const at = this.bytes.length;
    for (const b of data) this.bytes.push(b);
    return at;
  }
  u32(v: number): number[] {
    return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  }
  u16(v: number): number[] {
    return [v & 0xff, (v >>> 8) & 0xff];
  }
}

/** Writes the ELF. */
export function makeElf(spec: ElfSpec): Uint8Array {
  const w = new Writer();
  w.put(new Uint8Array(0x34)); // file header, filled in at the end
  interface Placed { name: string; type: number; flags: number; addr: number; offset: number; size: number; link: number; entsize: number }
  const placed: Placed[] = [];
  for (const s of spec.sections) {
    w.align(4);
    const data = s.data ?? new Uint8Array(0);
    const offset = s.nobits === undefined ? w.put(data) : w.bytes.length;
    placed.push({ name: s.name, type: s.nobits === undefined ? SHT_PROGBITS : SHT_NOBITS, flags: s.flags ?? FLAGS_DATA, addr: s.addr, offset, size: s.nobits ?? data.length, link: 0, entsize: 0 });
  }
  if (spec.metadata !== undefined) {
    // The metadata section (address 0, no flags) and a symbol table whose symbols point into it.
    const entries = Object.entries(spec.metadata);
    const metaIndex = placed.length + 1;
    const metaOffset = w.put(Buffer.from(entries.map(([, v]) => v).join("")));
    placed.push({ name: ".espressif.metadata", type: SHT_PROGBITS, flags: 0, addr: 0, offset: metaOffset, size: entries.reduce((n, [, v]) => n + v.length, 0), link: 0, entsize: 0 });
    const names = [0];
    const nameAt: number[] = [];
    for (const [k] of entries) {
      nameAt.push(names.length);
      names.push(...Buffer.from(k), 0);
    }
    w.align(4);
    const symOffset = w.bytes.length;
    w.put(new Uint8Array(16)); // symbol 0
    let value = 0;
    entries.forEach(([, v], i) => {
      w.put([...w.u32(nameAt[i] as number), ...w.u32(value), ...w.u32(v.length), 0x11, 0, ...w.u16(metaIndex)]);
      value += v.length;
    });
    // Header indices count the null section first: the string table pushed next is at placed.length + 2.
    placed.push({ name: ".symtab", type: SHT_SYMTAB, flags: 0, addr: 0, offset: symOffset, size: (entries.length + 1) * 16, link: placed.length + 2, entsize: 16 });
    const strOffset = w.put(names);
    placed.push({ name: ".strtab", type: SHT_STRTAB, flags: 0, addr: 0, offset: strOffset, size: names.length, link: 0, entsize: 0 });
  }
  const shstr = [0];
  const nameOffsets = placed.map((p) => {
    const at = shstr.length;
    shstr.push(...Buffer.from(p.name), 0);
    return at;
  });
  const shstrNameAt = shstr.length;
  shstr.push(...Buffer.from(".shstrtab"), 0);
  const shstrOffset = w.put(shstr);
  w.align(4);
  const shoff = w.bytes.length;
  w.put(new Uint8Array(40));
  placed.forEach((p, i) => {
    w.put([...w.u32(nameOffsets[i] as number), ...w.u32(p.type), ...w.u32(p.flags), ...w.u32(p.addr), ...w.u32(p.offset), ...w.u32(p.size), ...w.u32(p.link), ...w.u32(0), ...w.u32(4), ...w.u32(p.entsize)]);
  });
  w.put([...w.u32(shstrNameAt), ...w.u32(SHT_STRTAB), ...w.u32(0), ...w.u32(0), ...w.u32(shstrOffset), ...w.u32(shstr.length), ...w.u32(0), ...w.u32(0), ...w.u32(1), ...w.u32(0)]);
  const shnum = placed.length + 2;
  const loads = placed.filter((p) => p.addr !== 0 && (p.flags & 0x2) !== 0);
  const phoff = w.bytes.length;
  for (const p of loads) {
    const filesz = p.type === SHT_NOBITS ? 0 : p.size;
    w.put([...w.u32(1), ...w.u32(p.offset), ...w.u32(p.addr), ...w.u32(p.addr), ...w.u32(filesz), ...w.u32(p.size), ...w.u32(p.flags & 0x4 ? 5 : 6), ...w.u32(4)]);
  }
  const header = [
    0x7f, 0x45, 0x4c, 0x46, spec.elfClass ?? 1, spec.elfData ?? 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ...w.u16(2), ...w.u16(spec.machine), ...w.u32(1), ...w.u32(spec.entry), ...w.u32(phoff), ...w.u32(shoff), ...w.u32(0),
    ...w.u16(0x34), ...w.u16(32), ...w.u16(loads.length), ...w.u16(40), ...w.u16(shnum), ...w.u16(shnum - 1),
  ];
  header.forEach((b, i) => (w.bytes[i] = b));
  return Uint8Array.from(w.bytes);
}

/** An ELF's facts read straight from its bytes, for the checks (independent of the reader under test). */
export interface ElfFacts {
  entry: number;
  /** PT_LOAD segments with file contents. */
  loads: { addr: number; bytes: Uint8Array }[];
  /** Address ranges of NOBITS sections (no contents: not in any image). */
  nobits: { start: number; end: number }[];
  /** Address of an ESP-IDF `.flash.appdesc` section, whose `app_elf_sha256` the converter fills. */
  idfAppDescAddr?: number;
}

/** Reads {@link ElfFacts} from an ELF32 little-endian file. */
export function elfFacts(elf: Uint8Array): ElfFacts {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const phoff = v.getUint32(28, true);
  const shoff = v.getUint32(32, true);
  const phnum = v.getUint16(44, true);
  const shnum = v.getUint16(48, true);
  const loads: ElfFacts["loads"] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * 32;
    const off = v.getUint32(at + 4, true);
    const filesz = v.getUint32(at + 16, true);
    if (v.getUint32(at, true) === 1 && filesz > 0) loads.push({ addr: v.getUint32(at + 8, true), bytes: elf.subarray(off, off + filesz) });
  }
  const nobits: ElfFacts["nobits"] = [];
  const names = shoff + v.getUint16(50, true) * 40;
  const namesAt = v.getUint32(names + 16, true);
  let idfAppDescAddr: number | undefined;
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * 40;
    const addr = v.getUint32(at + 12, true);
    if (v.getUint32(at + 4, true) === SHT_NOBITS && addr !== 0) nobits.push({ start: addr, end: addr + v.getUint32(at + 20, true) });
    const nameAt = namesAt + v.getUint32(at, true);
    if (Buffer.from(elf.subarray(nameAt, nameAt + 15)).toString("latin1") === ".flash.appdesc\0") idfAppDescAddr = addr;
  }
  return { entry: v.getUint32(24, true), loads, nobits, ...(idfAppDescAddr !== undefined && { idfAppDescAddr }) };
}

/**
 * Each chip's address map as the ELF → image conversion needs it: which CPU runs the code, which
 * addresses are flash-mapped through the MMU (instruction and data buses), which are RAM the
 * bootloader can load a segment into, and the MMU page sizes the chip supports. Transcribed from
 * esptool's target descriptions (`IROM_MAP_START/END`, `DROM_MAP_START/END`, `MEMORY_MAP`,
 * `MMU_PAGE_SIZE_CONF` in `esptool/targets/*.py` and `bin_image.py`).
 */
import type { ImageChip } from "./chip-table.js";
import type { ElfArch } from "./elf-file.js";

/** A named address range `[start, end)`, named as esptool's MEMORY_MAP names it. */
export interface MemoryRange {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

/** What the converter knows about one chip's address space. */
export interface ChipMemoryMap {
  readonly arch: ElfArch;
  /** Flash-mapped ranges (IROM and DROM): segments here are mapped from flash, not loaded. */
  readonly flash: readonly MemoryRange[];
  /** esptool's MEMORY_MAP: every named range, RAM and ROM alike (names decide what merges). */
  readonly named: readonly MemoryRange[];
  /**
   * RAM the bootloader loads into that esptool's MEMORY_MAP lacks (from ESP-IDF's `soc.h`); only
   * the check that every section lies somewhere loadable uses it.
   */
  readonly extraRam?: readonly MemoryRange[];
  /** MMU page sizes the chip can be configured for; the first is the default (64 KiB). */
  readonly mmuPageSizes: readonly number[];
}

/** Default MMU page of every chip (esptool's IROM_ALIGN). */
export const DEFAULT_MMU_PAGE_BYTES = 0x10000;
const KIB = 1024;

/** MEMORY_MAP names of RAM the second-stage bootloader loads segments into. */
const RAM_NAMES: ReadonlySet<string> = new Set(["DRAM", "IRAM", "DIRAM_DRAM", "DIRAM_IRAM", "BYTE_ACCESSIBLE", "MEM_INTERNAL", "MEM_INTERNAL2", "RTC_DRAM", "RTC_IRAM", "RTC_DATA"]);
/** MEMORY_MAP names of the chip's mask ROM: never a load target, even where a RAM range spans it. */
const ROM_NAMES: ReadonlySet<string> = new Set(["IROM_MASK", "DROM_MASK"]);

const r = (start: number, end: number, name: string): MemoryRange => ({ start, end, name });

const C6_NAMED = [
  r(0x42000000, 0x43000000, "DROM"), r(0x40800000, 0x40880000, "DRAM"), r(0x40800000, 0x40880000, "BYTE_ACCESSIBLE"),
  r(0x4004ac00, 0x40050000, "DROM_MASK"), r(0x40000000, 0x4004ac00, "IROM_MASK"), r(0x42000000, 0x43000000, "IROM"),
  r(0x40800000, 0x40880000, "IRAM"), r(0x50000000, 0x50004000, "RTC_IRAM"), r(0x50000000, 0x50004000, "RTC_DRAM"), r(0x600fe000, 0x60100000, "MEM_INTERNAL2"),
];
const C6_FLASH = [r(0x42000000, 0x42800000, "IROM"), r(0x42800000, 0x43000000, "DROM")];
const C6_PAGES = [64 * KIB, 32 * KIB, 16 * KIB, 8 * KIB];

/** The memory map of every chip espsync supports. */
export const CHIP_MEMORY_MAPS: Readonly<Record<ImageChip, ChipMemoryMap>> = {
  esp32: {
    arch: "xtensa",
    flash: [r(0x400d0000, 0x40400000, "IROM"), r(0x3f400000, 0x3f800000, "DROM")],
    named: [
      r(0x3f400000, 0x3f800000, "DROM"), r(0x3f800000, 0x3fc00000, "EXTRAM_DATA"), r(0x3ff80000, 0x3ff82000, "RTC_DRAM"),
      r(0x3ff90000, 0x40000000, "BYTE_ACCESSIBLE"), r(0x3ffae000, 0x40000000, "DRAM"), r(0x3ffe0000, 0x3ffffffc, "DIRAM_DRAM"),
      // esptool names the ESP32's mask ROM "IROM" too; it is ROM all the same.
      r(0x40000000, 0x40070000, "IROM_MASK"), r(0x40070000, 0x40078000, "CACHE_PRO"), r(0x40078000, 0x40080000, "CACHE_APP"),
      r(0x40080000, 0x400a0000, "IRAM"), r(0x400a0000, 0x400bfffc, "DIRAM_IRAM"), r(0x400c0000, 0x400c2000, "RTC_IRAM"),
      r(0x400d0000, 0x40400000, "IROM"), r(0x50000000, 0x50002000, "RTC_DATA"),
    ],
    mmuPageSizes: [64 * KIB],
  },
  esp32s2: {
    arch: "xtensa",
    flash: [r(0x40080000, 0x40b80000, "IROM"), r(0x3f000000, 0x3f3f0000, "DROM")],
    named: [
      r(0x3f000000, 0x3ff80000, "DROM"), r(0x3f500000, 0x3ff80000, "EXTRAM_DATA"), r(0x3ff9e000, 0x3ffa0000, "RTC_DRAM"),
      r(0x3ff9e000, 0x40000000, "BYTE_ACCESSIBLE"), r(0x3ff9e000, 0x40072000, "MEM_INTERNAL"), r(0x3ffb0000, 0x40000000, "DRAM"),
      r(0x40000000, 0x4001a100, "IROM_MASK"), r(0x40020000, 0x40070000, "IRAM"), r(0x40070000, 0x40072000, "RTC_IRAM"),
      r(0x40080000, 0x40800000, "IROM"), r(0x50000000, 0x50002000, "RTC_DATA"),
    ],
    mmuPageSizes: [64 * KIB],
  },
  esp32s3: {
    arch: "xtensa",
    flash: [r(0x42000000, 0x44000000, "IROM"), r(0x3c000000, 0x3e000000, "DROM")],
    named: [
      r(0x3c000000, 0x3d000000, "DROM"), r(0x3d000000, 0x3e000000, "EXTRAM_DATA"), r(0x600fe000, 0x60100000, "RTC_DRAM"),
      r(0x3fc88000, 0x3fd00000, "BYTE_ACCESSIBLE"), r(0x3fc88000, 0x403e2000, "MEM_INTERNAL"), r(0x3fc88000, 0x3fd00000, "DRAM"),
      r(0x40000000, 0x4001a100, "IROM_MASK"), r(0x40370000, 0x403e0000, "IRAM"), r(0x600fe000, 0x60100000, "RTC_IRAM"),
      r(0x42000000, 0x42800000, "IROM"), r(0x50000000, 0x50002000, "RTC_DATA"),
    ],
    mmuPageSizes: [64 * KIB],
  },
  esp32c2: {
    arch: "riscv",
    flash: [r(0x42000000, 0x42400000, "IROM"), r(0x3c000000, 0x3c400000, "DROM")],
    named: [
      r(0x3c000000, 0x3c400000, "DROM"), r(0x3fca0000, 0x3fce0000, "DRAM"), r(0x3fc88000, 0x3fd00000, "BYTE_ACCESSIBLE"),
      r(0x3ff00000, 0x3ff50000, "DROM_MASK"), r(0x40000000, 0x40090000, "IROM_MASK"), r(0x42000000, 0x42400000, "IROM"),
      r(0x4037c000, 0x403c0000, "IRAM"),
    ],
    mmuPageSizes: [64 * KIB, 32 * KIB, 16 * KIB],
  },
  esp32c3: {
    arch: "riscv",
    flash: [r(0x42000000, 0x42800000, "IROM"), r(0x3c000000, 0x3c800000, "DROM")],
    named: [
      r(0x3c000000, 0x3c800000, "DROM"), r(0x3fc80000, 0x3fce0000, "DRAM"), r(0x3fc88000, 0x3fd00000, "BYTE_ACCESSIBLE"),
      r(0x3ff00000, 0x3ff20000, "DROM_MASK"), r(0x40000000, 0x40060000, "IROM_MASK"), r(0x42000000, 0x42800000, "IROM"),
      r(0x4037c000, 0x403e0000, "IRAM"), r(0x50000000, 0x50002000, "RTC_IRAM"), r(0x50000000, 0x50002000, "RTC_DRAM"),
      r(0x600fe000, 0x60100000, "MEM_INTERNAL2"),
    ],
    mmuPageSizes: [64 * KIB],
  },
  esp32c6: { arch: "riscv", flash: C6_FLASH, named: C6_NAMED, mmuPageSizes: C6_PAGES },
  // The ESP32-H2 shares the ESP32-C6's map in esptool (its target class derives from the C6's).
  esp32h2: { arch: "riscv", flash: C6_FLASH, named: C6_NAMED, mmuPageSizes: C6_PAGES },
  esp32c5: {
    arch: "riscv",
    flash: [r(0x42000000, 0x44000000, "IROM"), r(0x42000000, 0x44000000, "DROM")],
    named: [
      r(0x42000000, 0x44000000, "DROM"), r(0x40800000, 0x40860000, "DRAM"), r(0x40800000, 0x40860000, "BYTE_ACCESSIBLE"),
      r(0x4003a000, 0x40040000, "DROM_MASK"), r(0x40000000, 0x4003a000, "IROM_MASK"), r(0x42000000, 0x44000000, "IROM"),
      r(0x40800000, 0x40860000, "IRAM"), r(0x50000000, 0x50004000, "RTC_IRAM"), r(0x50000000, 0x50004000, "RTC_DRAM"),
      r(0x600fe000, 0x60100000, "MEM_INTERNAL2"),
    ],
    mmuPageSizes: [64 * KIB],
  },
  esp32c61: {
    arch: "riscv",
    // esptool's ESP32-C61 keeps the ESP32-C6's flash-mapped ranges for elf2image.
    flash: C6_FLASH,
    named: [
      r(0x42000000, 0x44000000, "DROM"), r(0x40800000, 0x40860000, "DRAM"), r(0x40800000, 0x40860000, "BYTE_ACCESSIBLE"),
      r(0x4004ac00, 0x40050000, "DROM_MASK"), r(0x40000000, 0x4004ac00, "IROM_MASK"), r(0x42000000, 0x44000000, "IROM"),
      r(0x40800000, 0x40860000, "IRAM"), r(0x50000000, 0x50004000, "RTC_IRAM"), r(0x50000000, 0x50004000, "RTC_DRAM"),
      r(0x600fe000, 0x60100000, "MEM_INTERNAL2"),
    ],
    mmuPageSizes: C6_PAGES,
  },
  esp32p4: {
    arch: "riscv",
    flash: [r(0x40000000, 0x4c000000, "IROM"), r(0x40000000, 0x4c000000, "DROM")],
    named: [
      r(0x40000000, 0x4c000000, "DROM"), r(0x4ff00000, 0x4ffa0000, "DRAM"), r(0x4ff00000, 0x4ffa0000, "BYTE_ACCESSIBLE"),
      r(0x4fc00000, 0x4fc20000, "DROM_MASK"), r(0x4fc00000, 0x4fc20000, "IROM_MASK"), r(0x40000000, 0x4c000000, "IROM"),
      r(0x4ff00000, 0x4ffa0000, "IRAM"), r(0x50108000, 0x50110000, "RTC_IRAM"), r(0x50108000, 0x50110000, "RTC_DRAM"),
      r(0x600fe000, 0x60100000, "MEM_INTERNAL2"),
    ],
    // ESP-IDF places code in the TCM (`.tcm.text`) and uses L2MEM up to 0x4FFC0000 on revision 3.
    extraRam: [r(0x30100000, 0x30102000, "TCM"), r(0x4ff00000, 0x4ffc0000, "L2MEM")],
    mmuPageSizes: [64 * KIB],
  },
};

const inside = (range: MemoryRange, addr: number): boolean => range.start <= addr && addr < range.end;

/** True when `addr` is flash-mapped on `chip` (esptool's `is_flash_addr`). */
export function isFlashAddr(chip: ImageChip, addr: number): boolean {
  return CHIP_MEMORY_MAPS[chip].flash.some((range) => inside(range, addr));
}

/** The MEMORY_MAP names covering `addr` (esptool's `get_memory_type`); segments merge only within one. */
export function memoryTypes(chip: ImageChip, addr: number): string[] {
  return CHIP_MEMORY_MAPS[chip].named.filter((range) => inside(range, addr)).map((range) => range.name);
}

/**
 * True when `[addr, addr + sizeBytes)` lies wholly inside one flash-mapped range, or inside RAM the
 * bootloader can load into (and not in the mask ROM).
 */
export function isLoadable(chip: ImageChip, addr: number, sizeBytes: number): boolean {
  const last = addr + Math.max(sizeBytes, 1) - 1;
  const map = CHIP_MEMORY_MAPS[chip];
  if (map.flash.some((range) => inside(range, addr) && inside(range, last))) return true;
  const rom = map.named.some((range) => ROM_NAMES.has(range.name) && (inside(range, addr) || inside(range, last)));
  const ram = [...map.named.filter((range) => RAM_NAMES.has(range.name)), ...(map.extraRam ?? [])];
  return !rom && ram.some((range) => inside(range, addr) && inside(range, last));
}

/**
 * Generated ELF files for the conversion tests, each built to exercise one part of the layout, with
 * the SHA-256 of the image esptool 5.3.1 makes from exactly these bytes where esptool accepts them
 * (`esptool --chip CHIP elf2image --flash-mode dio --flash-size 4MB -o out.bin case.elf`; write the
 * case with `makeElf(case.spec)` to reproduce). Sections are listed in address order: esptool merges
 * neighbours in the ELF's section order, espsync (like espflash) after sorting by address, and for
 * ordered sections the two agree.
 */
import { EM_RISCV, EM_XTENSA, FLAGS_DATA, FLAGS_RODATA, FLAGS_TEXT, appDesc, pattern, type ElfSpec } from "./make-elf.js";

/** One generated case. */
export interface ElfCase {
  name: string;
  chip: "esp32" | "esp32c3" | "esp32c6";
  spec: ElfSpec;
  /** SHA-256 of esptool 5.3.1's image for this ELF, when esptool accepts it. */
  esptoolSha256?: string;
}

/**
 * ESP32-C3, ESP-IDF style: `.flash.appdesc` first (its `app_elf_sha256` filled with the ELF's digest),
 * rodata with a length that is not a multiple of 4, RAM larger than the gap before the code, so a RAM
 * segment is split to pad it, two adjacent IRAM sections merged, a NOBITS section left out.
 */
export const C3_IDF: ElfCase = {
  name: "esp32c3 ESP-IDF style",
  chip: "esp32c3",
  spec: {
    machine: EM_RISCV,
    entry: 0x40380080,
    sections: [
      { name: ".flash.appdesc", addr: 0x3c000020, data: appDesc({ project: "elf-idf-c3", version: "2.1.0" }), flags: FLAGS_RODATA },
      { name: ".flash.rodata", addr: 0x3c000120, data: pattern(0x1232, "c3-rodata"), flags: FLAGS_RODATA },
      { name: ".dram0.data", addr: 0x3fc88000, data: pattern(0x800, "c3-data"), flags: FLAGS_DATA },
      { name: ".dram0.bss", addr: 0x3fc88800, nobits: 0x400, flags: FLAGS_DATA },
      { name: ".iram0.vectors", addr: 0x40380000, data: pattern(0x100, "c3-vectors"), flags: FLAGS_TEXT },
      { name: ".iram0.text", addr: 0x40380100, data: pattern(0xfffe, "c3-iram"), flags: FLAGS_TEXT },
      { name: ".flash.text", addr: 0x42010020, data: pattern(0x2345, "c3-text"), flags: FLAGS_TEXT },
    ],
  },
  esptoolSha256: "f0be9096aed00d1fc40997cad8ebfcb09bc9dc05c625904cee879b8fa70de90c",
};

/**
 * ESP32 whose first flash segment ends 0x10 bytes past a 64 KiB boundary of the file: esptool pads
 * it to 0x24 bytes past (the ESP32 bootloader's last-page workaround).
 */
export const ESP32_LAST_PAGE: ElfCase = {
  name: "esp32 last-page padding",
  chip: "esp32",
  spec: {
    machine: EM_XTENSA,
    entry: 0x40080400,
    sections: [
      { name: ".flash.appdesc", addr: 0x3f400020, data: appDesc({ project: "elf-esp32" }), flags: FLAGS_RODATA },
      { name: ".flash.rodata", addr: 0x3f400120, data: pattern(0xfff0 - 0x100, "esp32-rodata"), flags: FLAGS_RODATA },
      { name: ".dram0.data", addr: 0x3ffb0000, data: pattern(0x400, "esp32-data"), flags: FLAGS_DATA },
      { name: ".iram0.vectors", addr: 0x40080000, data: pattern(0x400, "esp32-vectors"), flags: FLAGS_TEXT },
      { name: ".iram0.text", addr: 0x40080400, data: pattern(0x1000, "esp32-iram"), flags: FLAGS_TEXT },
      { name: ".flash.text", addr: 0x400d0020, data: pattern(0x3000, "esp32-text"), flags: FLAGS_TEXT },
    ],
  },
  esptoolSha256: "4ca3090fff0fb9789eadbcbf47589689b10bc48512238575183294ce34cb0d2d",
};

/** ESP32-C6 whose app description asks for 32 KiB MMU pages (log2 = 15): flash code lands 32 KiB-aligned. */
export const C6_PAGE_32K: ElfCase = {
  name: "esp32c6 32 KiB MMU pages",
  chip: "esp32c6",
  spec: {
    machine: EM_RISCV,
    entry: 0x40800000,
    sections: [
      { name: ".iram0.text", addr: 0x40800000, data: pattern(0x6000, "c6-iram"), flags: FLAGS_TEXT },
      { name: ".dram0.data", addr: 0x40806000, data: pattern(0x200, "c6-data"), flags: FLAGS_DATA },
      { name: ".flash.appdesc", addr: 0x42000020, data: appDesc({ project: "elf-c6", mmuPageLog2: 15 }), flags: FLAGS_RODATA },
      { name: ".flash.rodata", addr: 0x42000120, data: pattern(0x3000, "c6-rodata"), flags: FLAGS_RODATA },
      { name: ".flash.text", addr: 0x42008020, data: pattern(0x2000, "c6-text"), flags: FLAGS_TEXT },
    ],
  },
  esptoolSha256: "a855e6385c9e5ef6a4c5b1daae50b8b9bbc6fa31f418e4d7029a4c167f0cacde",
};

/**
 * ESP32-C3 with two flash sections in one 64 KiB page, 0xE0 bytes apart: esptool refuses it ("lands
 * in same 64 KB flash mapping"); espsync, as espflash, writes them as far apart in the file as in
 * memory, padding between them.
 */
export const C3_SAME_PAGE: ElfCase = {
  name: "esp32c3 two flash sections in one page",
  chip: "esp32c3",
  spec: {
    machine: EM_RISCV,
    entry: 0x42010020,
    sections: [
      { name: ".rodata_desc", addr: 0x3c000020, data: appDesc({ project: "same-page" }), flags: FLAGS_RODATA },
      { name: ".rodata", addr: 0x3c000200, data: pattern(0x400, "sp-rodata"), flags: FLAGS_RODATA },
      { name: ".data", addr: 0x3fc80000, data: pattern(0x40, "sp-data"), flags: FLAGS_DATA },
      { name: ".text", addr: 0x42010020, data: pattern(0x800, "sp-text"), flags: FLAGS_TEXT },
    ],
  },
};

/** Like {@link C3_SAME_PAGE}, but 12 bytes apart: too little for two headers, so the two are merged. */
export const C3_TIGHT_PAGE: ElfCase = {
  name: "esp32c3 two flash sections 12 bytes apart",
  chip: "esp32c3",
  spec: {
    machine: EM_RISCV,
    entry: 0x42010020,
    sections: [
      { name: ".rodata_desc", addr: 0x3c000020, data: appDesc({ project: "tight-page" }), flags: FLAGS_RODATA },
      { name: ".rodata", addr: 0x3c00012c, data: pattern(0x400, "tp-rodata"), flags: FLAGS_RODATA },
      { name: ".text", addr: 0x42010020, data: pattern(0x800, "tp-text"), flags: FLAGS_TEXT },
    ],
  },
};

/** The cases esptool accepts, with its image's digest. */
export const ESPTOOL_CASES: readonly ElfCase[] = [C3_IDF, ESP32_LAST_PAGE, C6_PAGE_32K];

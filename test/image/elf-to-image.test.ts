/**
 * ELF → application image. Expected bytes come from esptool 5.3.1 (digests recorded in
 * elf-cases.ts for generated ELFs) and independent computation; every image is also checked
 * structurally against the ELF as the test's own reader sees it (elf-image-check.ts).
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EspsyncError } from "../../src/errors.js";
import { parseAppDescription } from "../../src/image/app-desc.js";
import { elfChipCandidates, guessElfChip } from "../../src/image/elf-chip.js";
import { parseElf } from "../../src/image/elf-file.js";
import { paddingBefore } from "../../src/image/elf-image-writer.js";
import { elfToImage } from "../../src/image/elf-to-image.js";
import { parseEspImage } from "../../src/image/esp-image.js";
import { C3_IDF, C3_SAME_PAGE, C3_TIGHT_PAGE, C6_PAGE_32K, ESP32_LAST_PAGE, ESPTOOL_CASES } from "./elf-cases.js";
import { expectImageOfElf } from "./elf-image-check.js";
import { makeImage } from "./make-image.js";
import { EM_RISCV, EM_XTENSA, FLAGS_DATA, FLAGS_TEXT, makeElf, pattern } from "./make-elf.js";

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof EspsyncError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "no error";
}

describe("ELF → image, byte-identical to esptool 5.3.1 elf2image", () => {
  it.each(ESPTOOL_CASES)("$name", (c) => {
    const elf = makeElf(c.spec);
    const image = elfToImage(elf, "case.elf", { chip: c.chip, flashMode: "dio", flashSize: "4MB" }).bytes;
    expect(sha256(image)).toBe(c.esptoolSha256);
    expectImageOfElf(elf, image, c.chip, c === C6_PAGE_32K ? 0x8000 : 0x10000);
  });
});

describe("ELF → image, layout", () => {
  it("writes the ELF's SHA-256 into an ESP-IDF app description, which opens the image", () => {
    const elf = makeElf(C3_IDF.spec);
    const image = elfToImage(elf, "app.elf", { chip: "esp32c3" }).bytes;
    // esp_app_desc_t starts at image offset 0x20; app_elf_sha256 is its field at +144 (PROTOCOL.md §5.5).
    expect(Buffer.from(image.subarray(0x20 + 144, 0x20 + 176)).toString("hex")).toBe(sha256(elf));
    const desc = parseAppDescription(image, parseEspImage(image));
    expect(desc?.projectName).toBe("elf-idf-c3");
    expect(desc?.version).toBe("2.1.0");
  });

  it("pads an ESP32 flash segment that ends less than 0x24 bytes past a page to 0x24 past it", () => {
    const image = elfToImage(makeElf(ESP32_LAST_PAGE.spec), "app.elf", { chip: "esp32" }).bytes;
    const first = parseEspImage(image).segments[0];
    // Data from file offset 0x20, 0x100 + 0xFEF0 bytes of sections: ends at 0x10010, padded to 0x10024.
    expect(first?.loadAddr).toBe(0x3f400020);
    expect(((first?.fileOffset ?? 0) + (first?.sizeBytes ?? 0)) % 0x10000).toBe(0x24);
  });

  it("lays code on 32 KiB pages when an ESP32-C6 app description asks for them", () => {
    const out = elfToImage(makeElf(C6_PAGE_32K.spec), "app.elf", { chip: "esp32c6" });
    expect(out.mmuPageBytes).toBe(0x8000);
    const text = parseEspImage(out.bytes).segments.find((s) => s.loadAddr === 0x42008020);
    expect((text?.fileOffset ?? 0) % 0x8000).toBe(0x20);
    // On 64 KiB pages the code would have to start at file offset 0x18020 or later.
    expect(text?.fileOffset).toBeLessThan(0x10000);
  });

  it("places flash sections that share an MMU page (esptool refuses them) as far apart in the file as in memory", () => {
    const elf = makeElf(C3_SAME_PAGE.spec);
    const image = elfToImage(elf, "app.elf", { chip: "esp32c3" }).bytes;
    expectImageOfElf(elf, image, "esp32c3");
    const info = parseEspImage(image);
    const drom = info.segments.filter((s) => s.loadAddr >= 0x3c000000 && s.loadAddr < 0x3c800000);
    // Data at file offsets 0x20 and 0x200: the padding between them is the 0x40-byte .data plus 0x88 zero bytes.
    expect(drom.map((s) => [s.loadAddr, s.fileOffset, s.sizeBytes])).toEqual([[0x3c000020, 0x20, 0x100], [0x3c000200, 0x200, 0x400]]);
    expect(info.segments.map((s) => s.loadAddr)).toEqual([0x3c000020, 0x3fc80000, 0, 0x3c000200, 0, 0x42010020]);
    expect(parseAppDescription(image, info)?.projectName).toBe("same-page");
  });

  it("merges flash sections in one page whose gap cannot hold the headers, the gap zero-filled", () => {
    const elf = makeElf(C3_TIGHT_PAGE.spec);
    const image = elfToImage(elf, "app.elf", { chip: "esp32c3" }).bytes;
    expectImageOfElf(elf, image, "esp32c3");
    const first = parseEspImage(image).segments[0];
    expect([first?.loadAddr, first?.sizeBytes]).toEqual([0x3c000020, 0x10c + 0x400]);
    expect(image.subarray(0x20 + 0x100, 0x20 + 0x10c).every((b) => b === 0)).toBe(true);
  });

  it("loads ESP32-P4 code into the TCM (ESP-IDF's .tcm.text), which esptool's memory map lacks", () => {
    const spec = {
      machine: EM_RISCV,
      entry: 0x4ff00000,
      sections: [
        { name: ".tcm.text", addr: 0x30100000, data: pattern(0x120, "tcm"), flags: FLAGS_TEXT },
        { name: ".iram0.text", addr: 0x4ff00000, data: pattern(0x400, "p4-iram"), flags: FLAGS_TEXT },
        { name: ".flash.text", addr: 0x40000020, data: pattern(0x400, "p4-text"), flags: FLAGS_TEXT },
      ],
    };
    const elf = makeElf(spec);
    const image = elfToImage(elf, "p4.elf", { chip: "esp32p4" }).bytes;
    expect(parseEspImage(image).segments.map((s) => s.loadAddr)).toEqual([0x40000020, 0x30100000, 0x4ff00000]);
  });

  it("takes the Rust metadata's chip and minimum revision", () => {
    const spec = { ...C3_SAME_PAGE.spec, metadata: { "build_info.CHIP_NAME": "esp32c3", "build_info.MIN_CHIP_REVISION": "101" } };
    const elf = parseElf(makeElf(spec), "rust.elf");
    expect(guessElfChip(elf, "rust.elf")).toEqual({ chip: "esp32c3", how: "build metadata", candidates: ["esp32c3"] });
    const ext = parseEspImage(elfToImage(makeElf(spec), "rust.elf", { chip: "esp32c3" }).bytes).ext;
    expect([ext?.minRevFull, ext?.minRev, ext?.maxRevFull]).toEqual([101, 1, 0xffff]);
  });

  it("tells the chip by the address map when only one chip holds every section", () => {
    expect(guessElfChip(parseElf(makeElf(ESP32_LAST_PAGE.spec), "a.elf"), "a.elf")).toMatchObject({ chip: "esp32", how: "address map" });
    // The ESP32-C2's and C3's maps both hold these addresses; the C6 family shares its own.
    expect(elfChipCandidates(parseElf(makeElf(C3_IDF.spec), "a.elf"))).toEqual(["esp32c2", "esp32c3"]);
    const c6 = guessElfChip(parseElf(makeElf(C6_PAGE_32K.spec), "a.elf"), "a.elf");
    expect(c6.chip).toBeUndefined();
    expect(c6.candidates).toEqual(expect.arrayContaining(["esp32c6", "esp32h2"]));
    expect(c6.candidates).not.toContain("esp32c3");
  });

  it("writes the header fields as given, else dio, 4MB and the chip's default frequency", () => {
    const elf = makeElf(C3_IDF.spec);
    const header = (o: object): number[] => Array.from(elfToImage(elf, "a.elf", { chip: "esp32c3", ...o }).bytes.subarray(0, 24));
    // Byte 2 mode (dio 2, qio 0), byte 3 size<<4 | freq (4MB 0x20, 16MB 0x40; 80m 0xF), bytes 12-13 chip id 5,
    // 15-16 min rev full, 17-18 max rev full, 23 hash appended; 8 = 0xEE (no WP pin). PROTOCOL.md §5.3/§5.4.
    expect(header({}).slice(0, 4)).toEqual([0xe9, 5, 2, 0x20]);
    expect(header({}).slice(4, 24)).toEqual([0x80, 0x00, 0x38, 0x40, 0xee, 0, 0, 0, 5, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 1]);
    expect(header({ flashMode: "qio", flashFreq: "80m", flashSize: "16MB" }).slice(2, 4)).toEqual([0, 0x4f]);
    expect(header({ flashSize: "detect", detectedFlashSizeBytes: 8 * 1024 * 1024 })[3]).toBe(0x30);
    expect(header({ minRevFull: 3, maxRevFull: 199 }).slice(14, 19)).toEqual([0, 3, 0, 199, 0]);
  });
});

describe("padding segments (a header needs 8 bytes; the data after the next header must match the address)", () => {
  it.each([
    // [file position, address, padding data bytes]: pos + 8 + pad + 8 ≡ addr (mod 64 KiB), pad ≥ 0.
    [0x18, 0x3c000020, 0],
    [0x1358, 0x42010020, 0x10020 - 0x1358 - 16],
    [0x10020 - 16 - 4, 0x42010020, 4],
    [0x10020 - 8 - 4, 0x42010020, 0x10000 - 4],
    // Exactly one header's room: no zero-length padding segment, a whole page more (as espflash).
    [0x10020 - 16, 0x42010020, 0x10000],
  ])("at file offset %i for address %i: %i bytes", (pos, addr, pad) => {
    expect(paddingBefore(pos, addr, 0x10000)).toBe(pad);
    if (pad > 0) expect((pos + 16 + pad) % 0x10000).toBe(addr % 0x10000);
  });
});

describe("ELF → image refuses", () => {
  const c3 = makeElf(C3_IDF.spec);
  const loose = (sections: { name: string; addr: number; size: number }[]): Uint8Array =>
    makeElf({ machine: EM_RISCV, entry: 0x40380000, sections: sections.map((s) => ({ name: s.name, addr: s.addr, data: pattern(s.size, s.name), flags: FLAGS_DATA })) });

  it.each<[string, () => unknown, RegExp]>([
    ["a file that is not an ELF", () => elfToImage(makeImage(), "app.bin", { chip: "esp32c3" }), /^IMAGE_INVALID: app\.bin: .*no ELF magic/],
    ["a 64-bit ELF", () => elfToImage(makeElf({ ...C3_IDF.spec, elfClass: 2 }), "a.elf", { chip: "esp32c3" }), /^IMAGE_INVALID: a\.elf: .*32-bit/],
    ["a big-endian ELF", () => elfToImage(makeElf({ ...C3_IDF.spec, elfData: 2 }), "a.elf", { chip: "esp32c3" }), /^IMAGE_INVALID: a\.elf: .*little-endian/],
    ["a truncated ELF", () => elfToImage(c3.subarray(0, c3.length - 200), "a.elf", { chip: "esp32c3" }), /^IMAGE_INVALID: a\.elf: .*truncated/],
    ["an ELF for another CPU", () => guessElfChip(parseElf(makeElf({ ...C3_IDF.spec, machine: 0x28 }), "arm.elf"), "arm.elf"), /^IMAGE_INVALID: arm\.elf: ELF for machine 40/],
    ["a RISC-V ELF for an Xtensa chip", () => elfToImage(c3, "c3.elf", { chip: "esp32s3" }), /^CHIP_MISMATCH: c3\.elf is built for a RISC-V CPU.*esp32s3/],
    ["an Xtensa ELF for a RISC-V chip", () => elfToImage(makeElf(ESP32_LAST_PAGE.spec), "e.elf", { chip: "esp32c3", chipSource: "--chip" }), /^CHIP_MISMATCH: e\.elf .*Xtensa.*esp32c3 \(from --chip\)/],
    ["sections outside the chip's map that another chip holds", () => elfToImage(c3, "c3.elf", { chip: "esp32c6" }), /^CHIP_MISMATCH: .*\.flash\.appdesc at 0x3c000020 lies outside esp32c6/],
    ["sections no chip holds", () => guessElfChip(parseElf(loose([{ name: ".odd", addr: 0x10000000, size: 16 }]), "o.elf"), "o.elf"), /^IMAGE_INVALID: o\.elf: .*address map of any riscv chip/],
    ["build metadata naming another chip", () => elfToImage(makeElf({ ...C3_SAME_PAGE.spec, metadata: { "build_info.CHIP_NAME": "esp32c2" } }), "m.elf", { chip: "esp32c3" }), /^CHIP_MISMATCH: .*esp32c2 \(its build metadata/],
    ["overlapping sections", () => elfToImage(loose([{ name: ".a", addr: 0x3fc80000, size: 0x100 }, { name: ".b", addr: 0x3fc80080, size: 0x100 }]), "x.elf", { chip: "esp32c3" }), /^IMAGE_INVALID: x\.elf: section \.b at 0x3fc80080 overlaps \.a/],
    [
      "more than 16 segments",
      () => elfToImage(loose(Array.from({ length: 17 }, (_, i) => ({ name: `.d${i}`, addr: 0x3fc80000 + i * 0x100, size: 0x10 }))), "many.elf", { chip: "esp32c3" }),
      /^IMAGE_INVALID: many\.elf: the image would need 17 segments/,
    ],
    ["a frequency the chip does not have", () => elfToImage(c3, "c3.elf", { chip: "esp32c3", flashFreq: "60m" }), /^USAGE: .*60m/],
  ])("%s", (_name, fn, expected) => {
    expect(codeOf(fn)).toMatch(expected);
  });

  it("a one-section ELF makes a valid one-segment image", () => {
    const elf = makeElf({ machine: EM_XTENSA, entry: 0x40080000, sections: [{ name: ".text", addr: 0x40080000, data: pattern(8, "t"), flags: FLAGS_TEXT }] });
    expectImageOfElf(elf, elfToImage(elf, "t.elf", { chip: "esp32" }).bytes, "esp32");
  });
});

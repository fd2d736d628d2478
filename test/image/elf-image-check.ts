/**
 * The structural check of an image made from an ELF: parsed back with the image parser, it must be
 * valid (checksum, appended SHA-256), carry the ELF's entry point and the chip's id, hold every byte
 * of every loadable ELF segment at its load address (except NOBITS sections, which have no bytes,
 * and the ESP-IDF app description's `app_elf_sha256`, which must hold the ELF's own SHA-256),
 * and place each flash-mapped segment so its file offset equals its address modulo the MMU page,
 * segments that share a page as far apart in the file as in memory.
 * The ELF is read by the test's own reader (make-elf.ts), not by the code under test.
 */
import { createHash } from "node:crypto";
import { expect } from "vitest";
import { parseEspImage } from "../../src/image/esp-image.js";
import { elfFacts } from "./make-elf.js";

/** Flash-mapped address ranges per chip (esptool's IROM/DROM map ranges), for the alignment check. */
const FLASH_RANGES: Record<string, [number, number][]> = {
  esp32: [[0x3f400000, 0x3f800000], [0x400d0000, 0x40400000]],
  esp32c3: [[0x3c000000, 0x3c800000], [0x42000000, 0x42800000]],
  esp32s3: [[0x3c000000, 0x3e000000], [0x42000000, 0x44000000]],
  esp32c6: [[0x42000000, 0x43000000]],
};

/** Chip ids of the image header (PROTOCOL.md §3.5). */
export const CHIP_IDS: Record<string, number> = { esp32: 0, esp32c3: 5, esp32s3: 9, esp32c6: 13 };

/** Checks `image` against `elf`; see the module comment. */
export function expectImageOfElf(elf: Uint8Array, image: Uint8Array, chip: string, pageBytes = 0x10000): void {
  const info = parseEspImage(image);
  expect(info.problems).toEqual([]);
  expect(info.checksum?.valid).toBe(true);
  expect(info.sha256?.valid).toBe(true);
  expect(info.imageLengthBytes).toBe(image.length);
  expect(info.ext?.chipId).toBe(CHIP_IDS[chip]);
  const facts = elfFacts(elf);
  expect(info.entryAddr).toBe(facts.entry);

  const loaded = info.segments.filter((s) => s.loadAddr !== 0);
  const byteAt = (addr: number): number | undefined => {
    const s = loaded.find((seg) => seg.loadAddr <= addr && addr < seg.loadAddr + seg.sizeBytes);
    return s === undefined ? undefined : image[s.fileOffset + addr - s.loadAddr];
  };
  // ESP-IDF leaves app_elf_sha256 (esp_app_desc_t + 144, 32 bytes) zero for the converter to fill with the ELF's digest.
  const shaAt = facts.idfAppDescAddr === undefined ? -1 : facts.idfAppDescAddr + 144;
  const elfSha = createHash("sha256").update(elf).digest();
  let checked = 0;
  const wrong: string[] = [];
  for (const load of facts.loads) {
    for (let k = 0; k < load.bytes.length; k++) {
      const addr = load.addr + k;
      if (facts.nobits.some((r) => r.start <= addr && addr < r.end)) continue;
      checked++;
      const want = addr >= shaAt && addr < shaAt + 32 ? elfSha[addr - shaAt] : load.bytes[k];
      const got = byteAt(addr);
      if (got !== want && wrong.length < 5) wrong.push(`0x${addr.toString(16)}: image ${got === undefined ? "has no byte" : got}, expected ${want}`);
    }
  }
  expect(wrong).toEqual([]);
  expect(checked).toBeGreaterThan(0);

  const ranges = FLASH_RANGES[chip] ?? [];
  const mapped = loaded.filter((s) => ranges.some(([a, b]) => a <= s.loadAddr && s.loadAddr < b));
  for (const s of mapped) expect((s.fileOffset % pageBytes).toString(16)).toBe((s.loadAddr % pageBytes).toString(16));
  // A page is mapped to one place in flash: segments sharing a page must sit as far apart in the file as in memory.
  const pageShift = new Map<number, number>();
  for (const s of mapped) {
    for (let page = Math.floor(s.loadAddr / pageBytes); page <= Math.floor((s.loadAddr + s.sizeBytes - 1) / pageBytes); page++) {
      const shift = s.fileOffset - s.loadAddr;
      expect(pageShift.get(page) ?? shift, `page ${page.toString(16)}`).toBe(shift);
      pageShift.set(page, shift);
    }
  }
}

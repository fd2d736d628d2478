/**
 * The real firmware the QEMU suite flashes (from ../shared/firmware, read at test time, never
 * copied), and the byte-level facts the tests compare the chip's flash against. Expected contents
 * always come from these files, never from what espsync reports.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { FIRMWARE_DIR, type QemuChip } from "./qemu-env.js";
import { SECTOR_BYTES } from "./wire-tally.js";

/** An image file and the flash address it goes to. */
export interface Placed {
  readonly addr: number;
  readonly file: string;
  /** The file's bytes padded with 0xFF to whole sectors: what the sectors hold once written. */
  readonly bytes: Buffer;
}

/** Reads `file` and pads it with 0xFF to whole 4 KiB sectors (computed here, not by espsync). */
export function placed(addr: number, file: string): Placed {
  const raw = readFileSync(file);
  const bytes = Buffer.alloc(Math.ceil(raw.length / SECTOR_BYTES) * SECTOR_BYTES, 0xff);
  raw.copy(bytes);
  return { addr, file, bytes };
}

/** ESP-IDF hello_world (v5.2 unless told): bootloader (0x1000 on the ESP32, 0x0 on the C3), partition table, app. */
export function helloSet(chip: QemuChip, version: "v5.1" | "v5.2" = "v5.2"): Placed[] {
  const dir = path.join(FIRMWARE_DIR, `idf-hello-${version}`, chip);
  return [
    placed(chip === "esp32" ? 0x1000 : 0x0, path.join(dir, "bootloader.bin")),
    placed(0x8000, path.join(dir, "partition-table.bin")),
    placed(0x10000, path.join(dir, "hello_world.bin")),
  ];
}

/** A MicroPython merged image for the ESP32 (written at 0x1000), by build id, e.g. `3d9f6a6`. */
export function micropython(build: string): Placed {
  return placed(0x1000, path.join(FIRMWARE_DIR, "micropython-esp32", `build-${build}.bin`));
}

/** `ADDR FILE` arguments for `espsync flash` / `verify`. */
export function pairArgs(images: readonly Placed[]): string[] {
  return images.flatMap((p) => [`0x${p.addr.toString(16)}`, p.file]);
}

/** Copies the images into a flash buffer (to seed QEMU's flash file before it starts). */
export function writeInto(flash: Buffer, images: readonly Placed[]): void {
  for (const p of images) p.bytes.copy(flash, p.addr);
}

/** Addresses of every sector the images cover, ascending per image. */
export function imageSectors(images: readonly Placed[]): number[] {
  return images.flatMap((p) => Array.from({ length: p.bytes.length / SECTOR_BYTES }, (_, i) => p.addr + i * SECTOR_BYTES));
}

/** Addresses of the sectors where `flash` does not hold the images, ascending. */
export function differingSectors(flash: Uint8Array, images: readonly Placed[]): number[] {
  const out: number[] = [];
  for (const p of images) {
    for (let o = 0; o < p.bytes.length; o += SECTOR_BYTES) {
      const a = p.addr + o;
      if (Buffer.compare(flash.subarray(a, a + SECTOR_BYTES), p.bytes.subarray(o, o + SECTOR_BYTES)) !== 0) out.push(a);
    }
  }
  return out;
}

/** Addresses of the sectors outside the images' sectors that are not erased (0xFF), ascending. */
export function dirtyOutside(flash: Uint8Array, images: readonly Placed[]): number[] {
  const inside = (a: number): boolean => images.some((p) => a >= p.addr && a < p.addr + p.bytes.length);
  const out: number[] = [];
  for (let a = 0; a < flash.length; a += SECTOR_BYTES) {
    if (!inside(a) && !flash.subarray(a, a + SECTOR_BYTES).every((b) => b === 0xff)) out.push(a);
  }
  return out;
}

/** Addresses of the images' sectors that hold anything but 0xFF (on erased flash, what must be written). */
export function sectorsWithData(images: readonly Placed[]): number[] {
  const out: number[] = [];
  for (const p of images) {
    for (let o = 0; o < p.bytes.length; o += SECTOR_BYTES) {
      if (!p.bytes.subarray(o, o + SECTOR_BYTES).every((b) => b === 0xff)) out.push(p.addr + o);
    }
  }
  return out;
}

/** Shared helpers of the simulator tests: raw request building, reply collection, images. */
import { createHash } from "node:crypto";
import type { VirtualChip } from "../../../adapters/sim/index.js";

/** Builds a SLIP frame by hand (independent of the simulator's encoder). */
export function frame(payload: readonly number[] | Uint8Array): Uint8Array {
  const out: number[] = [0xc0];
  for (const b of payload) {
    if (b === 0xc0) out.push(0xdb, 0xdc);
    else if (b === 0xdb) out.push(0xdb, 0xdd);
    else out.push(b);
  }
  out.push(0xc0);
  return Uint8Array.from(out);
}

/** u32 little-endian bytes. */
export function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** A request packet `00 op size checksum data`. */
export function request(op: number, data: readonly number[] | Uint8Array = [], checksum = 0): Uint8Array {
  const d = Array.from(data);
  return Uint8Array.from([0, op, d.length & 0xff, d.length >> 8, ...u32(checksum), ...d]);
}

/** XOR checksum seeded with 0xEF. */
export function xorChecksum(data: Uint8Array): number {
  let c = 0xef;
  for (const b of data) c ^= b;
  return c;
}

/** Lets the chip deliver its output (it uses setImmediate). */
export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Collects everything the chip transmits. */
export function collect(chip: VirtualChip): { bytes: () => Uint8Array; clear: () => void; frames: () => Uint8Array[] } {
  let chunks: number[] = [];
  chip.onTransmit((d) => chunks.push(...d));
  return {
    bytes: () => Uint8Array.from(chunks),
    clear: () => {
      chunks = [];
    },
    frames: () => splitFrames(Uint8Array.from(chunks)),
  };
}

/** Splits a byte stream into unescaped SLIP frames (independent decoder for assertions). */
export function splitFrames(bytes: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let cur: number[] | undefined;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0xc0) {
      if (cur && cur.length) frames.push(Uint8Array.from(cur));
      cur = cur && cur.length ? undefined : [];
      continue;
    }
    if (!cur) continue;
    if (b === 0xdb) {
      const n = bytes[++i];
      cur.push(n === 0xdc ? 0xc0 : 0xdb);
    } else cur.push(b);
  }
  return frames;
}

/** Sends one request and returns the frames it produced. */
export async function roundTrip(chip: VirtualChip, out: ReturnType<typeof collect>, op: number, data: readonly number[] | Uint8Array = [], checksum = 0): Promise<Uint8Array[]> {
  out.clear();
  chip.receive(frame(request(op, data, checksum)));
  await tick();
  return out.frames();
}

/** Hex of bytes. */
export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/** MD5 (hex) of bytes. */
export function md5Hex(b: Uint8Array): string {
  return createHash("md5").update(b).digest("hex");
}

/** Deterministic pseudo-random bytes (xorshift), incompressible enough for write tests. */
export function pseudoRandom(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * An app image carrying an esp_app_desc_t (magic 0xABCD5432 at offset 0x20), built for the chip
 * with image chip id `chipId` (extended header bytes 12..13; 0 is the ESP32).
 */
export function appImage(projectName: string, version: string, sizeBytes = 0x2000, chipId = 0): Uint8Array {
  const img = new Uint8Array(sizeBytes).fill(0);
  img[0] = 0xe9;
  img[1] = 1;
  img.set([chipId & 0xff, chipId >> 8], 12);
  const put = (off: number, s: string) => img.set(Buffer.from(s, "latin1"), off);
  img.set(u32(0xabcd5432), 0x20);
  put(0x20 + 16, version);
  put(0x20 + 48, projectName);
  put(0x20 + 112, "v5.3");
  return img;
}

/**
 * Puts a bootable build on a virtual chip's flash: an image header for the chip at its bootloader
 * offset (all the simulated ROM looks at) and the app at 0x10000.
 */
export function installApp(chip: VirtualChip, projectName: string, version: string): void {
  const bootloader = new Uint8Array(0x20);
  bootloader.set([0xe9, 0, 0, 0], 0);
  bootloader.set([chip.spec.chipId & 0xff, chip.spec.chipId >> 8], 12);
  chip.flash.program(chip.spec.bootloaderOffset, bootloader);
  chip.flash.program(0x10000, appImage(projectName, version, 0x2000, chip.spec.chipId));
}

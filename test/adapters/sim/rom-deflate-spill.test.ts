/**
 * The ESP32 ROM's compressed write programs its whole 32 KiB inflate unit at the end of the stream,
 * past the announced size (seen on the real ROM under QEMU: a 4 KiB FLASH_DEFL write at 0x8000
 * changed 0x8000–0xFFFF); the ESP32-C3 ROM writes only the data.
 */
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createVirtualChip } from "../../../adapters/sim/index.js";
import { collect, roundTrip, u32, xorChecksum } from "./helpers.js";

const SYNC_DATA = [0x07, 0x07, 0x12, 0x20, ...new Array(32).fill(0x55)];

async function deflateWrite(chip: "esp32" | "esp32c3", data: Uint8Array, offset: number) {
  const c = createVirtualChip({ chip, flashSizeBytes: 0x400000 });
  const out = collect(c);
  await roundTrip(c, out, 0x08, SYNC_DATA);
  const z = deflateSync(data);
  const begin = [...u32(data.length), ...u32(1), ...u32(0x1800), ...u32(offset), ...(chip === "esp32" ? [] : u32(0))];
  const b = await roundTrip(c, out, 0x10, begin);
  expect(b[0]?.[8]).toBe(0); // accepted
  const d = await roundTrip(c, out, 0x11, [...u32(z.length), ...u32(0), ...u32(0), ...u32(0), ...z], xorChecksum(z));
  expect(d[0]?.[8]).toBe(0);
  return c.flash.bytes;
}

describe("ROM compressed writes", () => {
  const data = new Uint8Array(0x1000).fill(0x11);

  it("ESP32: the rest of the 32 KiB unit is programmed from the stale buffer (zeros at first)", async () => {
    const flash = await deflateWrite("esp32", data, 0x8000);
    expect(flash.subarray(0x8000, 0x9000).every((b) => b === 0x11)).toBe(true);
    expect(flash.subarray(0x9000, 0x10000).every((b) => b === 0x00)).toBe(true);
    expect(flash[0x10000]).toBe(0xff);
  });

  it("ESP32-C3: only the data is written", async () => {
    const flash = await deflateWrite("esp32c3", data, 0x8000);
    expect(flash.subarray(0x8000, 0x9000).every((b) => b === 0x11)).toBe(true);
    expect(flash.subarray(0x9000, 0x10000).every((b) => b === 0xff)).toBe(true);
  });
});

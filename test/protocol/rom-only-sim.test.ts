import { createHash, randomBytes } from "node:crypto";
import { deflateSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { openSimPort } from "../../adapters/sim/index.js";
import { isErrorCode } from "../../src/errors.js";
import { connect, type Device } from "../../src/protocol/index.js";
import { maxOutstanding, recordWire } from "./wire-recorder.js";

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest();
const open: Device[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});

// The simulated ROMs refuse what the real ones refuse (PROTOCOL.md §11): FLASH_BEGIN of the wrong
// length (ESP32: 16 bytes only, C3: 20 only) and block sizes above 0x1800 — which is exactly what
// esptool-js 0.7.0 sends without a stub. These tests pass only with the workarounds.
describe.each([
  ["esp32", 16],
  ["esp32c3", 20],
] as const)("%s ROM only (stub: false)", (chip, beginBytes) => {
  async function setup() {
    const sim = openSimPort(`sim:${chip}?flash=4MB`);
    const rec = recordWire(sim);
    const device = await connect(rec.port, { stub: false, baudRate: 115200 });
    open.push(device);
    sim.chip.flash.resetCounters();
    rec.events.length = 0;
    return { device, sim, rec, flash: sim.chip.flash };
  }

  it("connects without uploading the stub", async () => {
    const { device, sim } = await setup();
    expect(device.chip.stub).toBe(false);
    expect(sim.chip.mode).toBe("rom");
    expect(device.chip.flashSizeBytes).toBe(4 << 20);
  });

  it("writes uncompressed with a FLASH_BEGIN of the ROM's length and 4 KiB blocks (real ROMs take up to 0x1800)", async () => {
    const { device, flash, rec } = await setup();
    const data = randomBytes(0x1900);
    await device.write(0x10000, data);
    expect(Buffer.from(flash.bytes.subarray(0x10000, 0x10000 + data.length))).toEqual(data);
    expect(flash.counters.sectorsErased).toBe(2);
    const begin = rec.events.find((e) => e.dir === "tx" && e.op === 0x02);
    expect(begin?.length).toBe(8 + beginBytes);
    const blocks = rec.events.filter((e) => e.dir === "tx" && e.op === 0x03);
    expect(blocks.map((b) => b.length)).toEqual(Array(2).fill(8 + 16 + 0x1000));
    // No FLASH_END: flag 1 would make the ROM leave download mode.
    expect(rec.events.some((e) => e.dir === "tx" && e.op === 0x04)).toBe(false);
  });

  it("writes plain even when handed compressed data: the ROM's FLASH_DEFL_* is never used (the ESP32 ROM writes past the data)", async () => {
    const { device, flash, rec } = await setup();
    const data = Buffer.concat([Buffer.alloc(0x3000, 0x42), randomBytes(0x800)]);
    const stats = await device.write(0x20000, data, { compressed: deflateSync(data) });
    expect(stats.compressed).toBe(false);
    expect(Buffer.from(flash.bytes.subarray(0x20000, 0x20000 + data.length))).toEqual(data);
    expect(rec.events.some((e) => e.dir === "tx" && (e.op === 0x10 || e.op === 0x11))).toBe(false);
    expect(flash.bytes[0x20000 + 0x4000]).toBe(0xff); // nothing beyond the data's last sector
  });

  it("reads with READ_FLASH_SLOW and digests with the ROM's ASCII MD5", async () => {
    const { device, flash } = await setup();
    const bytes = randomBytes(200);
    flash.bytes.set(bytes, 0x3000);
    expect(Buffer.from(await device.read(0x3000, 200))).toEqual(bytes);
    expect(flash.counters.commands.READ_FLASH_SLOW).toBe(4);
    expect(Buffer.from(await device.md5(0x3000, 200))).toEqual(md5(bytes));
    const many = await device.md5Many([{ addr: 0x3000, sizeBytes: 100 }, { addr: 0x3064, sizeBytes: 100 }]);
    expect(many.map((d) => Buffer.from(d))).toEqual([md5(bytes.subarray(0, 100)), md5(bytes.subarray(100))]);
  });

  it("keeps as many digest requests outstanding as fit in the ROM's 128-byte UART FIFO", async () => {
    const { device, flash, rec } = await setup();
    const ranges = Array.from({ length: 9 }, (_, i) => ({ addr: 0x50000 + i * 0x1000, sizeBytes: 0x1000 }));
    for (const r of ranges) flash.bytes.set(randomBytes(r.sizeBytes), r.addr);
    const digests = await device.md5Many(ranges);
    expect(digests.map((d) => Buffer.from(d))).toEqual(ranges.map((r) => md5(flash.bytes.subarray(r.addr, r.addr + r.sizeBytes))));
    // 26 wire bytes per request (no escapes in these addresses): 4 fit in 128, a fifth would not.
    expect(maxOutstanding(rec.events, 0x13)).toBe(4);
  });

  it("erases a region through an erase-only FLASH_BEGIN", async () => {
    const { device, flash } = await setup();
    flash.bytes.fill(0, 0x40000, 0x44000);
    await device.eraseRegion(0x41000, 0x2000);
    expect(flash.bytes.subarray(0x41000, 0x43000).every((b) => b === 0xff)).toBe(true);
    expect(flash.bytes[0x40fff]).toBe(0);
    expect(flash.bytes[0x43000]).toBe(0);
    expect(flash.counters.sectorsErased).toBe(2);
  });

  it("soft_reset runs the application through the ROM with FLASH_END(1) alone, never a FLASH_BEGIN that could erase", async () => {
    const sim = openSimPort(`sim:${chip}`);
    const rec = recordWire(sim);
    const device = await connect(rec.port, { stub: false, baudRate: 115200 });
    rec.events.length = 0;
    await device.finish("soft_reset");
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.chip.mode).toBe("app");
    expect(rec.events.filter((e) => e.dir === "tx").map((e) => e.op)).toEqual([0x04]);
  });
});

describe("Secure Download Mode", () => {
  it("no stub, and digests are refused with SECURE_DOWNLOAD_MODE", async () => {
    const sim = openSimPort("sim:esp32c3?sdm=1");
    const log: string[] = [];
    const device = await connect(sim, { log: (l) => log.push(l) });
    open.push(device);
    expect(device.chip.stub).toBe(false);
    expect(device.chip.security?.secureDownloadMode).toBe(true);
    expect(sim.chip.mode).toBe("rom");
    const err = await device.md5(0, 0x1000).catch((e: unknown) => e);
    expect(isErrorCode(err, "SECURE_DOWNLOAD_MODE")).toBe(true);
    expect((err as Error).message).toMatch(/delta flashing needs the chip's digests/);
  });

  it("plain writes still work", async () => {
    const sim = openSimPort("sim:esp32c3?sdm=1");
    const device = await connect(sim, {});
    open.push(device);
    const data = randomBytes(0x800);
    await device.write(0x10000, data, { compressed: deflateSync(data) });
    expect(Buffer.from(sim.chip.flash.bytes.subarray(0x10000, 0x10800))).toEqual(data);
  });
});

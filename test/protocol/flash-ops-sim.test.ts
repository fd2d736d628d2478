import { createHash, randomBytes } from "node:crypto";
import { deflateSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { openSimPort } from "../../adapters/sim/index.js";
import { isErrorCode, ReadInterruptedError, WriteInterruptedError } from "../../src/errors.js";
import { connect, type Device } from "../../src/protocol/index.js";
import { maxOutstanding, recordWire, type WireRecorder } from "./wire-recorder.js";

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest();
const open: Device[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});

async function setup(chip: "esp32" | "esp32s3" | "esp32c3", options: Parameters<typeof connect>[1] = {}) {
  const sim = openSimPort(`sim:${chip}?flash=4MB&seed=1`);
  const rec = recordWire(sim);
  const device = await connect(rec.port, options);
  open.push(device);
  sim.chip.flash.resetCounters();
  rec.events.length = 0;
  return { device, sim, rec, flash: sim.chip.flash };
}

function txBytes(rec: WireRecorder, ...ops: number[]): number {
  return rec.events.filter((e) => e.dir === "tx" && e.op !== undefined && ops.includes(e.op)).reduce((a, e) => a + e.length, 0);
}

describe.each(["esp32", "esp32s3", "esp32c3"] as const)("%s with the stub", (chip) => {
  it("md5 equals the MD5 of the bytes in the simulator's flash", async () => {
    const { device, flash } = await setup(chip);
    const bytes = randomBytes(10_000);
    flash.bytes.set(bytes, 0x20000);
    expect(Buffer.from(await device.md5(0x20000, bytes.length))).toEqual(md5(bytes));
  });

  it("md5Many returns digests in order, one request at a time (the stub drops requests that arrive while it is busy)", async () => {
    const { device, flash, rec } = await setup(chip);
    await device.read(0, 16); // the stub runs once a read needed it
    rec.events.length = 0;
    flash.resetCounters();
    const ranges = Array.from({ length: 10 }, (_, i) => ({ addr: 0x40000 + i * 0x1000, sizeBytes: 0x1000 }));
    for (const r of ranges) flash.bytes.set(randomBytes(r.sizeBytes), r.addr);
    const digests = await device.md5Many(ranges);
    expect(digests.map((d) => Buffer.from(d).toString("hex"))).toEqual(ranges.map((r) => md5(flash.bytes.subarray(r.addr, r.addr + r.sizeBytes)).toString("hex")));
    expect(maxOutstanding(rec.events, 0x13)).toBe(1);
    expect(flash.counters.commands.SPI_FLASH_MD5).toBe(10);
  });

  it("writes uncompressed at an offset: flash equals data, only the covered sectors are erased", async () => {
    const { device, flash } = await setup(chip);
    const data = randomBytes(0x5800); // 5.5 sectors
    const before = flash.bytes.slice(0x30000 + 0x6000, 0x30000 + 0x8000);
    const progress: number[] = [];
    const stats = await device.write(0x30000, data, { onProgress: (done) => progress.push(done) });
    expect(Buffer.from(flash.bytes.subarray(0x30000, 0x30000 + data.length))).toEqual(data);
    expect(flash.counters.sectorsErased + 16 * flash.counters.blocksErased).toBe(Math.ceil(data.length / 4096));
    expect(flash.counters.bytesProgrammed).toBe(data.length);
    expect(Buffer.from(flash.bytes.subarray(0x36000, 0x38000))).toEqual(Buffer.from(before));
    expect(stats).toEqual({ writtenBytes: data.length, sentBytes: data.length, compressed: false });
    expect(progress).toEqual([0x4000, 0x5800]);
  });

  it("writes compressed: flash equals data, minimal erase, fewer bytes on the wire than raw", async () => {
    const { device, flash, rec } = await setup(chip);
    const data = Buffer.concat([Buffer.alloc(0x9000, 0x5a), randomBytes(0x3000)]);
    const compressed = deflateSync(data, { level: 9 });
    const stats = await device.write(0x10000, data, { compressed });
    expect(Buffer.from(flash.bytes.subarray(0x10000, 0x10000 + data.length))).toEqual(data);
    expect(flash.counters.sectorsErased + 16 * flash.counters.blocksErased).toBe(Math.ceil(data.length / 4096));
    expect(flash.counters.bytesProgrammed).toBe(data.length);
    expect(stats.compressed).toBe(true);
    expect(stats.sentBytes).toBe(compressed.length);
    expect(txBytes(rec, 0x11)).toBeLessThan(data.length);
    expect(flash.counters.commands.FLASH_DEFL_DATA).toBe(Math.ceil(compressed.length / 0x4000));
  });

  it("read returns the exact bytes and leaves the line clean", async () => {
    const { device, flash } = await setup(chip);
    const bytes = randomBytes(0x2345);
    flash.bytes.set(bytes, 0x50000);
    const progress: number[] = [];
    expect(Buffer.from(await device.read(0x50000, bytes.length, (d) => progress.push(d)))).toEqual(bytes);
    expect(progress).toEqual([0x1000, 0x2000, 0x2345]);
    // The MD5 frame was consumed: the next command gets its own reply.
    expect(Buffer.from(await device.md5(0x50000, bytes.length))).toEqual(md5(bytes));
  });
});

describe("a read that can be stopped", () => {
  const READ_FLASH = 0xd2;
  const SPI_FLASH_MD5 = 0x13;
  const commands = (rec: WireRecorder, op: number): number => rec.events.filter((e) => e.dir === "tx" && e.op === op).length;

  it("streams in 64 KiB parts and checks the whole range with one digest", async () => {
    const { device, flash, rec } = await setup("esp32c3");
    const bytes = randomBytes(0x28000);
    flash.bytes.set(bytes, 0x100000);
    const data = await device.read(0x100000, bytes.length, undefined, { shouldStop: () => false });
    expect(Buffer.from(data)).toEqual(bytes);
    expect(commands(rec, READ_FLASH)).toBe(3); // 0x10000 + 0x10000 + 0x8000
    expect(commands(rec, SPI_FLASH_MD5)).toBe(1);
  });

  it("stops before the next part once asked: ReadInterruptedError with the bytes read, and the line stays usable", async () => {
    const { device, flash, rec } = await setup("esp32c3");
    flash.bytes.set(randomBytes(0x40000), 0x100000);
    let stop = false;
    const err = await device.read(0x100000, 0x40000, (done) => (stop = done >= 0x10000), { shouldStop: () => stop }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReadInterruptedError);
    expect((err as ReadInterruptedError).readBytes).toBe(0x10000);
    expect((err as Error).message).toBe("read of 262144 bytes at 0x00100000 stopped at 0x00110000, as asked");
    expect(commands(rec, READ_FLASH)).toBe(1);
    expect(Buffer.from(await device.md5(0x100000, 0x1000))).toEqual(md5(flash.bytes.subarray(0x100000, 0x101000)));
  });
});

describe("read checks the stub's final MD5 frame", () => {
  it("a corrupted data packet is detected and the next command still works", async () => {
    const { device, flash, rec } = await setup("esp32c3");
    flash.bytes.set(Buffer.alloc(0x2000, 0x11), 0x8000);
    let tampered = false;
    rec.tamper = (chunk) => {
      // Flip one payload byte of the first 4 KiB data frame (0x11 → 0x10: no SLIP special byte).
      if (tampered || chunk.length < 0x1000) return chunk;
      tampered = true;
      const c = Uint8Array.from(chunk);
      c[100] = 0x10;
      return c;
    };
    const err = await device.read(0x8000, 0x2000).catch((e: unknown) => e);
    expect(tampered).toBe(true);
    expect(isErrorCode(err, "PROTOCOL_ERROR")).toBe(true);
    expect((err as Error).message).toMatch(/differs from what the chip sent/);
    rec.tamper = undefined;
    expect(Buffer.from(await device.md5(0x8000, 0x2000))).toEqual(md5(Buffer.alloc(0x2000, 0x11)));
  });
});

describe("write control and errors", () => {
  it("shouldStop stops at a block boundary with INTERRUPTED and the bytes written", async () => {
    const { device, flash } = await setup("esp32c3");
    const data = randomBytes(0x10000);
    let blocks = 0;
    const err = await device.write(0x100000, data, { onProgress: () => blocks++, shouldStop: () => blocks >= 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteInterruptedError);
    expect((err as WriteInterruptedError).code).toBe("INTERRUPTED");
    expect((err as WriteInterruptedError).writtenBytes).toBe(0x8000);
    expect(flash.counters.commands.FLASH_DATA).toBe(2);
    expect(Buffer.from(flash.bytes.subarray(0x100000, 0x108000))).toEqual(data.subarray(0, 0x8000));
  });

  it("a block whose checksum the chip rejects is sent again", async () => {
    const { device, flash, sim } = await setup("esp32c3");
    sim.chip.faults.add({ kind: "corrupt-request", op: 0x03, nth: 2 });
    const data = randomBytes(0xc000);
    await device.write(0x20000, data);
    expect(Buffer.from(flash.bytes.subarray(0x20000, 0x2c000))).toEqual(data);
    expect(flash.counters.commands.FLASH_DATA).toBe(4);
  });

  it("a failure status becomes ROM_ERROR naming the command and address", async () => {
    const { device, sim } = await setup("esp32c3");
    sim.chip.faults.add({ kind: "error-status", op: 0xd1, nth: 1, status: 0xc4 });
    const err = await device.eraseRegion(0x10000, 0x1000).catch((e: unknown) => e);
    expect(isErrorCode(err, "ROM_ERROR")).toBe(true);
    expect((err as Error).message).toBe("ERASE_REGION failed: erase of 0x00010000..0x00011000: stub status 0xc400 (FAILED_SPI_OP: flash read/write/erase failed)");
  });

  it("a lost reply is a TIMEOUT naming the operation", async () => {
    const { device, sim } = await setup("esp32c3", { timeouts: { md5MsPerMb: 1, minMs: 200 } });
    sim.chip.faults.add({ kind: "drop-response", op: 0x13, nth: 1 });
    const err = await device.md5(0, 0x1000).catch((e: unknown) => e);
    expect(isErrorCode(err, "TIMEOUT")).toBe(true);
    expect((err as Error).message).toMatch(/^no answer to SPI_FLASH_MD5 at 0x00000000 \(4096 bytes\) within \d+ ms$/);
  });

  it("pads data to 4 bytes with 0xFF, also when it arrives compressed", async () => {
    const { device, flash } = await setup("esp32c3");
    flash.bytes.fill(0x00, 0x60000, 0x61010);
    const data = randomBytes(0x1003);
    await device.write(0x60000, data, { compressed: deflateSync(data) });
    expect(Buffer.from(flash.bytes.subarray(0x60000, 0x61003))).toEqual(data);
    expect(flash.bytes[0x61003]).toBe(0xff);
    expect(flash.counters.bytesProgrammed).toBe(0x1004);
  });

  it("a write one sector short of a 64 KiB block erases its 15 sectors, not the block", async () => {
    const { device, flash } = await setup("esp32c3");
    for (const compressed of [false, true]) {
      flash.resetCounters();
      const data = Buffer.concat([Buffer.alloc(0x8000, 0x3c), randomBytes(0x7000)]); // 15 sectors
      flash.bytes.fill(0x00, 0x40000, 0x50000); // programmed: an erase shows in the bytes, not only in the counters
      await device.write(0x40000, data, compressed ? { compressed: deflateSync(data) } : {});
      expect(Buffer.from(flash.bytes.subarray(0x40000, 0x4f000))).toEqual(data);
      expect(flash.bytes.subarray(0x4f000, 0x50000).every((b) => b === 0x00)).toBe(true);
      const erased = flash.log.filter((e) => e.kind === "erase-sector" || e.kind === "erase-block").map((e) => [e.kind, e.addr]);
      expect(erased).toEqual(Array.from({ length: 15 }, (_, i) => ["erase-sector", 0x40000 + i * 0x1000]));
    }
  });

  it("rejects compressed data that does not inflate to the data", async () => {
    const { device } = await setup("esp32c3");
    const err = await device.write(0x60000, new Uint8Array(0x1000), { compressed: deflateSync(new Uint8Array(0x800)) }).catch((e: unknown) => e);
    expect(isErrorCode(err, "USAGE")).toBe(true);
  });

  it("rejects an unaligned write address and erase range in the words of every alignment check", async () => {
    const { device } = await setup("esp32c3");
    const write = await device.write(0x10010, new Uint8Array(16)).catch((e: unknown) => e);
    expect(isErrorCode(write, "ADDRESS_UNALIGNED")).toBe(true);
    expect(write).toMatchObject({ message: "write address 0x00010010 is not a multiple of 4 KiB (0x1000)", hint: "Flash is erased in 4 KiB sectors; use an address such as 0x00010000." });
    const erase = await device.eraseRegion(0x10000, 0x800).catch((e: unknown) => e);
    expect(isErrorCode(erase, "ADDRESS_UNALIGNED")).toBe(true);
    expect(erase).toMatchObject({ message: "erase of 0x00010000..0x00010800: size 0x00000800 is not a multiple of 4 KiB (0x1000)", hint: "Flash is erased in 4 KiB sectors; use a size such as 0x00001000." });
  });
});

describe("erase", () => {
  it("eraseRegion erases exactly the region", async () => {
    const { device, flash } = await setup("esp32s3");
    flash.bytes.fill(0x00, 0x10000, 0x40000);
    await device.eraseRegion(0x20000, 0x11000);
    expect(flash.bytes.subarray(0x20000, 0x31000).every((b) => b === 0xff)).toBe(true);
    expect(flash.bytes[0x1ffff]).toBe(0);
    expect(flash.bytes[0x31000]).toBe(0);
    expect(flash.counters.blocksErased * 16 + flash.counters.sectorsErased).toBe(0x11);
  });

  it("eraseAll erases everything", async () => {
    const { device, flash } = await setup("esp32c3");
    flash.bytes.fill(0x00, 0, 0x1000);
    flash.bytes.fill(0x00, flash.bytes.length - 0x1000);
    await device.eraseAll();
    expect(flash.bytes.every((b) => b === 0xff)).toBe(true);
  });
});

describe("link loss", () => {
  it("the port closing during an operation is PORT_CLOSED", async () => {
    const { device, sim } = await setup("esp32c3", { timeouts: { minMs: 300 } });
    sim.chip.faults.add({ kind: "disconnect", op: 0x13, nth: 1 });
    const err = await device.md5(0, 0x1000).catch((e: unknown) => e);
    expect(isErrorCode(err, "PORT_CLOSED")).toBe(true);
    expect((err as Error).message).toMatch(/SPI_FLASH_MD5 at 0x00000000/);
  });
});

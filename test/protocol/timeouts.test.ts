import { describe, expect, it } from "vitest";
import { DEFAULT_TIMEOUTS as T, blockAckTimeoutMs, blockWorkMs, chipEraseTimeoutMs, eraseTimeoutMs, md5TimeoutMs, wireTimeMs } from "../../src/protocol/timeouts.js";

describe("timeouts scale with the work", () => {
  it("MD5: 8 s/MB, at least 3 s", () => {
    expect(md5TimeoutMs(T, 4096)).toBe(3000);
    expect(md5TimeoutMs(T, 4_000_000)).toBe(32_000);
  });
  it("erase: aligned 64 KiB blocks at 2 s, loose sectors at 400 ms, plus 3 s", () => {
    expect(eraseTimeoutMs(T, 0x10000, 0x10000)).toBe(3000 + 2000);
    expect(eraseTimeoutMs(T, 0x1000, 0x1000)).toBe(3000 + 400);
    // 0xF000..0x21000: one sector before, one block, one sector after.
    expect(eraseTimeoutMs(T, 0xf000, 0x12000)).toBe(3000 + 2000 + 2 * 400);
    expect(eraseTimeoutMs(T, 0, 0x400000)).toBe(3000 + 64 * 2000);
  });
  it("whole-chip erase: at least 120 s, more for big chips", () => {
    expect(chipEraseTimeoutMs(T, 4 << 20)).toBe(120_000);
    expect(chipEraseTimeoutMs(T, 16 << 20)).toBe(Math.ceil(12.5 * 16.777216 * 1000)); // 12.5 s per MB of 16 MiB
  });
  it("wire time: 10 bits per byte, doubled", () => {
    expect(wireTimeMs(11520, 115200)).toBe(2000);
  });
  it("a compressed block that inflates to 1 MiB gets far more than esptool-js's flat 3 s", () => {
    const work = { addr: 0x10000, programBytes: 1 << 20, erases: true };
    // 256 sectors (+1 partial) at 400 ms and 4096 pages at 3 ms.
    expect(blockWorkMs(T, work)).toBe(257 * 400 + 4097 * 3);
    expect(blockAckTimeoutMs(T, 0x4000, 921600, work)).toBeGreaterThan(100_000);
  });
  it("the stub's ack waits for the previous block's write as well", () => {
    const a = { addr: 0, programBytes: 0x4000, erases: true };
    const b = { addr: 0x4000, programBytes: 0x4000, erases: true };
    // Each block: 5 sectors (4 + 1 partial) at 400 ms and 65 pages at 3 ms = 2195 ms; 16 KiB at
    // 921600 baud = 178 ms, doubled: 356 ms on the wire; 3 s floor.
    expect(blockAckTimeoutMs(T, 0x4000, 921600, b)).toBe(3000 + 356 + 2195);
    expect(blockAckTimeoutMs(T, 0x4000, 921600, b, a)).toBe(3000 + 356 + 2195 + 2195);
  });
  it("ROM blocks (erased at begin) only pay for programming", () => {
    expect(blockWorkMs(T, { addr: 0, programBytes: 0x400, erases: false })).toBe(5 * 3);
  });
});

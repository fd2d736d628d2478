/** The cost model on a link whose round trip was measured. */
import { describe, expect, it } from "vitest";
import {
  costModelForBaud,
  digestTimeS,
  planningRoundTripS,
  ROM_EXCHANGES,
  STUB_EXCHANGES,
  stubUploadTimeS,
  withRoundTrip,
} from "../../src/plan/index.js";

const base = costModelForBaud(921600); // 92 160 bytes/s

describe("withRoundTrip", () => {
  it("charges the stub a whole round trip per digest, the ROM a quarter (four requests fit its FIFO)", () => {
    const stub = withRoundTrip(base, 0.044, STUB_EXCHANGES);
    const rom = withRoundTrip(base, 0.044, ROM_EXCHANGES);
    const wire = 54 / 92_160;
    expect(stub.digestLatencyS).toBeCloseTo(wire + 0.044, 9);
    expect(rom.digestLatencyS).toBeCloseTo(wire + 0.011, 9);
    // 16 sector digests of a 64 KiB block: 16 round trips with the stub, 4 with the ROM.
    expect(digestTimeS(stub, 0x10000, 16) - digestTimeS(rom, 0x10000, 16)).toBeCloseTo(12 * 0.044, 9);
  });

  it("folds each write block's acknowledgement into the write rate, and charges each run its lone exchanges", () => {
    const rom = withRoundTrip(base, 0.044, ROM_EXCHANGES);
    // 4 KiB blocks: 4096 / 92 160 s on the wire plus 44 ms waiting for the acknowledgement.
    expect(rom.linkBytesPerS).toBeCloseTo(4096 / (4096 / 92_160 + 0.044), 6);
    expect(rom.runOverheadS).toBeCloseTo(0.044, 9); // FLASH_BEGIN
    const stub = withRoundTrip(base, 0.044, STUB_EXCHANGES);
    expect(stub.linkBytesPerS).toBeCloseTo(16384 / (16384 / 92_160 + 0.044), 6);
    expect(stub.runOverheadS).toBeCloseTo(0.088, 9); // FLASH_DEFL_BEGIN and END
    // A fast link keeps the model's own fixed cost per run as a floor.
    expect(withRoundTrip(base, 0.001, ROM_EXCHANGES).runOverheadS).toBe(base.runOverheadS);
  });
});

describe("stubUploadTimeS", () => {
  it("is the stub's bytes on the wire plus one round trip per MEM_DATA block and five more", () => {
    // 6700 bytes: two 0x1800 blocks.
    expect(stubUploadTimeS(6700, 92_160, 0.044)).toBeCloseTo(6700 / 92_160 + 7 * 0.044, 9);
    expect(stubUploadTimeS(6700, 92_160, 0)).toBeCloseTo(6700 / 92_160, 9);
  });
});

describe("planningRoundTripS", () => {
  it("is the measured round trip, never below a USB bridge's 2 ms; undefined when nothing was measured", () => {
    expect(planningRoundTripS({ kind: "uart", baudRate: 921600, roundTripS: 0.044 })).toBe(0.044);
    expect(planningRoundTripS({ kind: "uart", baudRate: 921600, roundTripS: 0.00005 })).toBe(0.002);
    expect(planningRoundTripS({ kind: "uart", baudRate: 921600 })).toBeUndefined();
    expect(planningRoundTripS(undefined)).toBeUndefined();
  });
});

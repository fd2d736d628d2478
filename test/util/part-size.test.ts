/** Part sizes for reads and erases that can be stopped: one block locally, more across a network. */
import { describe, expect, it } from "vitest";
import { partBytes } from "../../src/util/part-size.js";

describe("partBytes", () => {
  it.each([
    // A local USB-UART at 921600 baud (92160 B/s), 2 ms round trip: 3.7 KB needed → one block.
    [0.002, 92_160, 0x10000],
    // The same rate across a network with an 80 ms round trip: 147,456 B needed → 3 blocks.
    [0.08, 92_160, 0x30000],
    // Erasing (64 KiB in 0.15 s = 436,907 B/s) across that network: 699,051 B needed → 11 blocks.
    [0.08, 436_907, 0xb0000],
    // A one-second round trip would need 1.8 MB: capped at 1 MiB.
    [1, 92_160, 0x100000],
    // Round trip not measured: one block.
    [undefined, 92_160, 0x10000],
  ])("round trip %s s at %i B/s → %i bytes", (roundTripS, bytesPerS, expected) => {
    expect(partBytes(roundTripS, bytesPerS)).toBe(expected);
  });
});

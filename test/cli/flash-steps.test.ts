/** The steps of a CLI erase: cut at multiples of the step size, covering the range exactly. */
import { describe, expect, it } from "vitest";
import { steps } from "../../src/cli/flash-steps.js";

describe("steps", () => {
  it("cuts a range at 64 KiB boundaries, the first and last step partial", () => {
    expect(steps(0x8000, 0x21000, 0x10000)).toEqual([
      { addr: 0x8000, end: 0x10000 },
      { addr: 0x10000, end: 0x20000 },
      { addr: 0x20000, end: 0x29000 },
    ]);
  });

  it("cuts at multiples of a larger step (several blocks across a slow link)", () => {
    expect(steps(0x8000, 0x50000, 0x30000)).toEqual([
      { addr: 0x8000, end: 0x30000 },
      { addr: 0x30000, end: 0x58000 },
    ]);
  });

  it("keeps a range inside one block whole, and an empty range has no step", () => {
    expect(steps(0x8000, 0xc00, 0x10000)).toEqual([{ addr: 0x8000, end: 0x8c00 }]);
    expect(steps(0x10000, 0, 0x10000)).toEqual([]);
  });
});

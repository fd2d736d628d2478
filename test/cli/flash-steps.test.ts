/** The 64 KiB steps of a CLI read or erase: cut at block boundaries, covering the range exactly. */
import { describe, expect, it } from "vitest";
import { steps } from "../../src/cli/flash-steps.js";

describe("steps", () => {
  it("cuts a range at 64 KiB boundaries, the first and last step partial", () => {
    expect(steps(0x8000, 0x21000)).toEqual([
      { addr: 0x8000, end: 0x10000 },
      { addr: 0x10000, end: 0x20000 },
      { addr: 0x20000, end: 0x29000 },
    ]);
  });

  it("keeps a range inside one block whole, and an empty range has no step", () => {
    expect(steps(0x8000, 0xc00)).toEqual([{ addr: 0x8000, end: 0x8c00 }]);
    expect(steps(0x10000, 0)).toEqual([]);
  });
});

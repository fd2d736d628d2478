import { describe, expect, it } from "vitest";
import { isErrorCode } from "../../src/errors.js";
import { HARD_RESET_STEPS, parseResetSequence, runResetSteps } from "../../src/protocol/reset-sequence.js";
import type { ControlLines, Port } from "../../src/transport/port.js";

describe("parseResetSequence", () => {
  it("turns the classic esptool sequence into full line states and waits", () => {
    expect(parseResetSequence("D0|R1|W100|D1|R0|W50|D0")).toEqual([
      { lines: { dtr: false, rts: false } },
      { lines: { dtr: false, rts: true } },
      { waitMs: 100 },
      { lines: { dtr: true, rts: true } },
      { lines: { dtr: true, rts: false } },
      { waitMs: 50 },
      { lines: { dtr: false, rts: false } },
    ]);
  });
  it("tolerates spaces around steps", () => {
    expect(parseResetSequence(" R1 | W5 ")).toEqual([{ lines: { dtr: false, rts: true } }, { waitMs: 5 }]);
  });
  it.each(["", "D2", "X1", "W0", "W-5", "W", "D0||R1", "D0|W20000", "d0", "R1;W100"])("rejects %j with RESET_SEQUENCE_INVALID and a hint", (text) => {
    let caught: unknown;
    try {
      parseResetSequence(text);
    } catch (e) {
      caught = e;
    }
    expect(isErrorCode(caught, "RESET_SEQUENCE_INVALID")).toBe(true);
    expect((caught as { hint?: string }).hint).toMatch(/D0\/D1/);
  });
});

describe("runResetSteps", () => {
  it("hard reset pulses EN (RTS) with IO0 (DTR) released, setting both lines each time", async () => {
    const seen: ControlLines[] = [];
    const port = { setLines: async (l: ControlLines) => void seen.push(l) } as unknown as Port;
    await runResetSteps(port, HARD_RESET_STEPS);
    expect(seen).toEqual([
      { dtr: false, rts: true },
      { dtr: false, rts: false },
    ]);
  });
});

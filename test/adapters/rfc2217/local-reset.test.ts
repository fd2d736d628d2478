/**
 * The local reset layer (adapters/rfc2217/local-reset.ts): what reaches the board's lines for each
 * reset pattern, with the client's changes arriving as they would across a slow link. (End to end,
 * through `espsync serve` and a proxy adding 80 ms each way, in test/cli/serve-flash.test.ts.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LocalReset } from "../../../adapters/rfc2217/local-reset.js";
import type { ControlLines } from "../../../src/transport/port.js";
import { FakeEndpoint } from "../tcp/fake-endpoint.js";

// The layer's clock is Date.now and setTimeout: fake timers make every step exact.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const lines = (dtr: 0 | 1, rts: 0 | 1): ControlLines => ({ dtr: dtr === 1, rts: rts === 1 });
/** What the fake board saw, as `D1R0` strings. */
const seen = (endpoint: FakeEndpoint): string[] =>
  endpoint.events.flatMap((e) => (e.kind === "lines" ? [`D${Number(e.dtr)}R${Number(e.rts)}`] : []));

/** Requests `steps` one at a time, `gapMs` apart, like a client across a slow link. */
function requestAll(layer: LocalReset, steps: ControlLines[], gapMs: number): void {
  for (const step of steps) {
    layer.setLines(step);
    vi.advanceTimersByTime(gapMs);
  }
}

describe("LocalReset: what reaches the lines", () => {
  const timing = { enLowMs: 100, io0HoldMs: 50 };

  it("classic reset one change at a time (pyserial): the in-between DTR=1 RTS=1 becomes DTR=1 RTS=0 (EN released with IO0 low), held 50 ms", () => {
    const board = new FakeEndpoint();
    const actions: string[] = [];
    const layer = new LocalReset(board, timing, (action) => actions.push(action));
    // After pyserial's open (D1R1): D0 (EN low), R1, 100 ms, D1 → the in-between D1R1; R0 comes a round trip later.
    requestAll(layer, [lines(1, 1), lines(0, 1), lines(0, 1)], 60);
    layer.setLines(lines(1, 1));
    expect(seen(board)).toEqual(["D1R1", "D0R1", "D1R0"]);
    expect(actions).toEqual(["download-reset"]);
    vi.advanceTimersByTime(49);
    expect(seen(board)).toEqual(["D1R1", "D0R1", "D1R0"]); // IO0 still low while the strap is sampled
    vi.advanceTimersByTime(1);
    // The hold is over; the client still asks for D1R1 (EN and IO0 high): harmless now, the chip has booted.
    expect(seen(board)).toEqual(["D1R1", "D0R1", "D1R0", "D1R1"]);
    requestAll(layer, [lines(1, 0), lines(0, 0)], 160);
    expect(seen(board)).toEqual(["D1R1", "D0R1", "D1R0", "D1R1", "D1R0", "D0R0"]);
    expect(actions).toEqual(["download-reset"]);
  });

  it("classic reset with both lines in one batch (espsync's client): one clean D1R0, and the final step waits for the hold", () => {
    const board = new FakeEndpoint();
    const layer = new LocalReset(board, timing);
    requestAll(layer, [lines(0, 0), lines(0, 1)], 100);
    layer.setLines(lines(1, 1));
    layer.setLines(lines(1, 0));
    vi.advanceTimersByTime(20);
    layer.setLines(lines(0, 0)); // arrives during the hold
    expect(seen(board)).toEqual(["D0R0", "D0R1", "D1R0"]);
    vi.advanceTimersByTime(30);
    expect(seen(board)).toEqual(["D0R0", "D0R1", "D1R0", "D0R0"]);
  });

  it("keeps EN low for 100 ms even when the release arrives right behind the press (network jitter)", () => {
    const board = new FakeEndpoint();
    const layer = new LocalReset(board, timing);
    layer.setLines(lines(0, 1));
    layer.setLines(lines(0, 0)); // a hard reset compressed to nothing
    expect(seen(board)).toEqual(["D0R1"]);
    vi.advanceTimersByTime(99);
    expect(seen(board)).toEqual(["D0R1"]);
    vi.advanceTimersByTime(1);
    expect(seen(board)).toEqual(["D0R1", "D0R0"]);
  });

  it("a classic reset whose steps are squeezed together still holds EN low first, then releases it with IO0 low", () => {
    const board = new FakeEndpoint();
    const layer = new LocalReset(board, timing);
    layer.setLines(lines(0, 1));
    layer.setLines(lines(1, 1));
    layer.setLines(lines(1, 0));
    vi.advanceTimersByTime(100);
    expect(seen(board)).toEqual(["D0R1", "D1R0"]);
  });

  it("forwards the hard reset and esptool's USB-Serial/JTAG sequence unchanged", () => {
    const board = new FakeEndpoint();
    const actions: string[] = [];
    const layer = new LocalReset(board, timing, (action) => actions.push(action));
    requestAll(layer, [lines(0, 0), lines(0, 1), lines(0, 0)], 100);
    // esptool's USB reset: idle, IO0, (1,1), reset with DTR released, release.
    requestAll(layer, [lines(1, 0), lines(1, 1), lines(0, 1), lines(0, 0)], 100);
    expect(seen(board)).toEqual(["D0R0", "D0R1", "D0R0", "D1R0", "D1R1", "D0R1", "D0R0"]);
    expect(actions).toEqual([]);
  });

  it("passes bytes and the baud rate straight through, and does nothing after dispose", () => {
    const board = new FakeEndpoint();
    const layer = new LocalReset(board, timing);
    layer.receive(Uint8Array.of(1, 2));
    layer.setBaudRate(460800);
    layer.setLines(lines(0, 1));
    layer.setLines(lines(0, 0));
    layer.dispose();
    vi.advanceTimersByTime(1_000);
    expect(board.received).toEqual([1, 2]);
    expect(board.events).toEqual([{ kind: "baud", baudRate: 460800 }, { kind: "lines", dtr: false, rts: true }]);
  });
});

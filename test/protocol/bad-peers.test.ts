import { describe, expect, it } from "vitest";
import { isErrorCode } from "../../src/errors.js";
import { connect } from "../../src/protocol/index.js";
import type { ControlLines, Port } from "../../src/transport/port.js";

/** A fake peer: answers every write with `reply(data)` (or nothing). */
function fakePort(reply: (data: Uint8Array) => Uint8Array | undefined, controlLines = false) {
  const data = new Set<(c: Uint8Array) => void>();
  const close = new Set<(e?: Error) => void>();
  const seen = { writes: 0, lines: [] as ControlLines[], closed: 0 };
  const port: Port = {
    info: { path: "fake://peer" },
    capabilities: { controlLines, setBaudRate: true },
    baudRate: 115200,
    open: async () => {},
    write: async (d) => {
      seen.writes++;
      const r = reply(d);
      if (r) setImmediate(() => data.forEach((l) => l(r)));
    },
    onData: (l) => (data.add(l), () => data.delete(l)),
    onClose: (l) => (close.add(l), () => close.delete(l)),
    setLines: async (lines) => void seen.lines.push(lines),
    setBaudRate: async () => {},
    close: async () => {
      seen.closed++;
      close.forEach((l) => l());
    },
  };
  return { port, seen };
}

describe("peers that are not an ESP loader fail fast with a clear code", () => {
  it("a peer answering text → NOT_AN_ESP", async () => {
    const { port, seen } = fakePort(() => Buffer.from("ERROR: unknown command\r\n"));
    const log: string[] = [];
    const err = await connect(port, { connectAttempts: 2, log: (l) => log.push(l) }).catch((e: unknown) => e);
    expect(isErrorCode(err, "NOT_AN_ESP")).toBe(true);
    expect((err as Error).message).toContain("ERROR: unknown command");
    expect(seen.writes).toBeGreaterThan(0);
    expect(seen.closed).toBeGreaterThan(0); // the port is released
    // No control lines: no reset attempted, and the log says why.
    expect(seen.lines).toEqual([]);
    expect(log.some((l) => /no DTR\/RTS control lines/.test(l))).toBe(true);
  });

  it("a silent peer → SYNC_FAILED saying nothing was received", async () => {
    const { port, seen } = fakePort(() => undefined, true);
    const err = await connect(port, { connectAttempts: 2 }).catch((e: unknown) => e);
    expect(isErrorCode(err, "SYNC_FAILED")).toBe(true);
    expect((err as Error).message).toMatch(/sent nothing/);
    expect(seen.lines.length).toBeGreaterThan(0); // reset was attempted through setLines
    expect(seen.closed).toBeGreaterThan(0);
  });

  it("a chip booting its app (boot log, no download mode) → SYNC_FAILED explaining the boot mode", async () => {
    let sent = false;
    const { port } = fakePort(() => {
      if (sent) return undefined;
      sent = true;
      return Buffer.from("rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n");
    });
    const err = await connect(port, { connectAttempts: 1 }).catch((e: unknown) => e);
    expect(isErrorCode(err, "SYNC_FAILED")).toBe(true);
    expect((err as Error).message).toMatch(/booted normally \(boot mode 0x13\)/);
  });
});

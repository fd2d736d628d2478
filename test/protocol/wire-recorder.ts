/**
 * Test utility: a `Port` wrapper that records the SLIP frames crossing it in both directions (decoded
 * with the simulator's own SLIP decoder, independent of the code under test) and can tamper with
 * inbound chunks.
 */
import { SlipDecoder } from "../../adapters/sim/slip.js";
import type { ControlLines, Port } from "../../src/transport/port.js";

/** One frame on the wire. `op` is set for request/response packets. */
export interface WireEvent {
  readonly dir: "tx" | "rx";
  readonly op?: number;
  readonly length: number;
}

/** The recording port and what it saw. */
export interface WireRecorder {
  readonly port: Port;
  readonly events: WireEvent[];
  /** Replaces inbound chunks (return the chunk unchanged to pass it through). */
  tamper: ((chunk: Uint8Array) => Uint8Array) | undefined;
}

export function recordWire(inner: Port): WireRecorder {
  const tx = new SlipDecoder();
  const rx = new SlipDecoder();
  const listeners = new Set<(chunk: Uint8Array) => void>();
  let subscribed: (() => void) | undefined;
  const rec: WireRecorder = {
    events: [],
    tamper: undefined,
    port: {
      get info() {
        return inner.info;
      },
      get capabilities() {
        return inner.capabilities;
      },
      get baudRate() {
        return inner.baudRate;
      },
      open: (b: number) => inner.open(b),
      write: async (data: Uint8Array) => {
        for (const f of tx.push(data)) rec.events.push({ dir: "tx", length: f.length, ...(f[0] === 0 && f.length >= 8 ? { op: f[1] } : {}) });
        await inner.write(data);
      },
      onData: (listener: (chunk: Uint8Array) => void) => {
        // One subscription for all listeners, so each inbound frame is recorded once.
        listeners.add(listener);
        subscribed ??= inner.onData((chunk) => {
          const c = rec.tamper ? rec.tamper(chunk) : chunk;
          for (const f of rx.push(c)) rec.events.push({ dir: "rx", length: f.length, ...(f[0] === 1 && f.length >= 8 ? { op: f[1] } : {}) });
          for (const l of [...listeners]) l(c);
        });
        return () => listeners.delete(listener);
      },
      onClose: (l: (error?: Error) => void) => inner.onClose(l),
      setLines: (lines: ControlLines) => inner.setLines(lines),
      setBaudRate: (b: number) => inner.setBaudRate(b),
      close: () => inner.close(),
    },
  };
  return rec;
}

/** Most requests with `op` sent but not yet answered at any point of the recording. */
export function maxOutstanding(events: readonly WireEvent[], op: number): number {
  let outstanding = 0;
  let max = 0;
  for (const e of events) {
    if (e.op !== op) continue;
    outstanding += e.dir === "tx" ? 1 : -1;
    max = Math.max(max, outstanding);
  }
  return max;
}

/**
 * `--trace`: a `Port` wrapper that decodes the SLIP traffic in both directions into one line per
 * packet (opcode name, lengths, value, status), so everything esptool-js and this layer send is
 * visible without touching either. Bytes outside frames (boot banners) are shown as text.
 */
import type { ControlLines, Port } from "../transport/port.js";
import { opName } from "./opcodes.js";
import { describeStatus, statusValue } from "./status-table.js";
import { readU32 } from "./words.js";

/** Incremental SLIP decoder that also reports bytes seen outside frames. */
export class SlipFrameDecoder {
  private frame: number[] | undefined;
  private escaping = false;
  private text: number[] = [];

  /** Feeds bytes; calls `onFrame` per complete frame and `onText` for runs of out-of-frame bytes. */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void, onText: (text: Uint8Array) => void): void {
    for (const b of chunk) {
      if (this.frame === undefined) {
        if (b === 0xc0) {
          if (this.text.length) onText(Uint8Array.from(this.text));
          this.text = [];
          this.frame = [];
        } else this.text.push(b);
        continue;
      }
      if (this.escaping) {
        this.escaping = false;
        this.frame.push(b === 0xdc ? 0xc0 : b === 0xdd ? 0xdb : b);
      } else if (b === 0xdb) this.escaping = true;
      else if (b === 0xc0) {
        // `C0 C0`: an empty frame, or the end of one frame directly followed by the next start.
        if (this.frame.length > 0) onFrame(Uint8Array.from(this.frame));
        this.frame = this.frame.length > 0 ? undefined : [];
      } else this.frame.push(b);
    }
    if (this.frame === undefined && this.text.length && this.text.includes(0x0a)) {
      onText(Uint8Array.from(this.text));
      this.text = [];
    }
  }
}

function hex(bytes: Uint8Array, max = 16): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return bytes.length > max ? `${shown} …` : shown;
}

/** One line for a frame the host sent. */
export function describeRequest(frame: Uint8Array): string {
  if (frame.length >= 8 && frame[0] === 0x00) {
    const size = (frame[2] ?? 0) | ((frame[3] ?? 0) << 8);
    const data = frame.subarray(8);
    const args = data.length <= 24 && data.length % 4 === 0 && data.length > 0
      ? ` [${Array.from({ length: data.length / 4 }, (_, i) => `0x${readU32(data, i * 4).toString(16)}`).join(", ")}]`
      : "";
    return `-> ${opName(frame[1] ?? 0)} len=${size}${args}`;
  }
  return `-> raw frame ${frame.length} bytes${frame.length <= 8 ? `: ${hex(frame)}` : ""}`;
}

/** One line for a frame the chip sent; `stub` picks the status layout (2 or 4 bytes, §1.4). */
export function describeResponse(frame: Uint8Array, stub: boolean): string {
  if (frame.length >= 10 && frame[0] === 0x01) {
    const size = (frame[2] ?? 0) | ((frame[3] ?? 0) << 8);
    const value = readU32(frame, 4);
    const data = frame.subarray(8);
    const statusAt = data.length - (stub ? 2 : 4);
    const s0 = data[statusAt] ?? 0;
    const s1 = data[statusAt + 1] ?? 0;
    const status = s0 === 0 ? "ok" : `FAIL ${describeStatus(statusValue([s0, s1], stub), stub)}`;
    const payload = statusAt > 0 ? ` payload=${statusAt}` : "";
    return `<- ${opName(frame[1] ?? 0)} len=${size} value=0x${value.toString(16).padStart(8, "0")}${payload} ${status}`;
  }
  const ascii = String.fromCharCode(...frame.subarray(0, 8));
  if (frame.length === 4 && ascii === "OHAI") return "<- OHAI (stub running)";
  return `<- raw frame ${frame.length} bytes${frame.length <= 16 ? `: ${hex(frame)}` : ""}`;
}

/** Wraps `port` so that every frame in both directions is described to `trace`. */
export function tracePort(port: Port, trace: (line: string) => void, isStub: () => boolean): Port {
  const out = new SlipFrameDecoder();
  const inbound = new SlipFrameDecoder();
  const listeners = new Set<(chunk: Uint8Array) => void>();
  let unsubscribe: (() => void) | undefined;
  const text = (bytes: Uint8Array, arrow: string): void => {
    const line = String.fromCharCode(...bytes).replace(/[^\x20-\x7e]+/g, " ").trim();
    if (line) trace(`${arrow} text "${line}"`);
  };
  return {
    get info() {
      return port.info;
    },
    get capabilities() {
      return port.capabilities;
    },
    get baudRate() {
      return port.baudRate;
    },
    open: async (baudRate: number) => {
      trace(`port open at ${baudRate} baud`);
      await port.open(baudRate);
    },
    write: async (data: Uint8Array) => {
      out.push(data, (f) => trace(describeRequest(f)), (t) => text(t, "->"));
      await port.write(data);
    },
    onData: (listener: (chunk: Uint8Array) => void) => {
      // One decoder and one subscription for all listeners, so each frame is traced once.
      listeners.add(listener);
      unsubscribe ??= port.onData((chunk) => {
        inbound.push(chunk, (f) => trace(describeResponse(f, isStub())), (t) => text(t, "<-"));
        for (const l of [...listeners]) l(chunk);
      });
      return () => listeners.delete(listener);
    },
    onClose: (listener: (error?: Error) => void) => port.onClose(listener),
    setLines: async (lines: ControlLines) => {
      trace(`lines DTR=${lines.dtr ? 1 : 0} RTS=${lines.rts ? 1 : 0}`);
      await port.setLines(lines);
    },
    setBaudRate: async (baudRate: number) => {
      trace(`host baud rate ${baudRate}`);
      await port.setBaudRate(baudRate);
    },
    close: async () => {
      trace("port close");
      await port.close();
    },
  };
}

/**
 * What crossed the wire into a virtual chip, decoded by the test itself (not by the code under
 * test): every request frame the host sent and every DTR/RTS change, in order, plus everything the
 * chip printed. Wraps the chip's own `receive` and `setLines`, so it sees traffic from any adapter
 * (the in-process port, the TCP server).
 */
import type { VirtualChip } from "../../adapters/index.js";

/** One thing the host did. */
export type WireEvent =
  | { readonly kind: "request"; readonly op: number; readonly data: Uint8Array; readonly forcedDownloadBefore: boolean }
  | { readonly kind: "lines"; readonly dtr: boolean; readonly rts: boolean };

const word = (data: Uint8Array, i: number): number => new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(i * 4, true);
const hex = (v: number): string => v.toString(16).padStart(8, "0");

/** A compact line per event: `WRITE_REG 600080b0 50d83aa1 mask ffffffff delay 0`, `READ_REG 60004038`, `lines dtr=0 rts=1`. */
export function describeEvent(e: WireEvent): string {
  if (e.kind === "lines") return `lines dtr=${Number(e.dtr)} rts=${Number(e.rts)}`;
  if (e.op === 0x09) return `WRITE_REG ${hex(word(e.data, 0))} ${hex(word(e.data, 1))} mask ${hex(word(e.data, 2))} delay ${word(e.data, 3)}`;
  if (e.op === 0x0a) return `READ_REG ${hex(word(e.data, 0))}`;
  return `OP ${e.op.toString(16)} (${e.data.length} bytes)`;
}

/** The tap on one chip. */
export interface WireTap {
  readonly events: WireEvent[];
  /** The chip's output so far, as text. */
  text(): string;
  /** Events from the first one whose description starts with `prefix`; empty when there is none. */
  from(prefix: string): string[];
  /** Descriptions of every WRITE_REG to one of `addrs`. */
  writesTo(addrs: readonly number[]): string[];
}

/** Starts recording what the host sends `chip` and what the chip prints. */
export function tapChip(chip: VirtualChip): WireTap {
  const events: WireEvent[] = [];
  const output: number[] = [];
  chip.onTransmit((data) => output.push(...data));
  let frame: number[] | undefined;
  let escaped = false;
  const push = (b: number): void => {
    if (b === 0xc0) {
      if (frame && frame.length >= 8 && frame[0] === 0) {
        const bytes = Uint8Array.from(frame);
        events.push({ kind: "request", op: bytes[1] as number, data: bytes.subarray(8), forcedDownloadBefore: chip.straps.forced });
      }
      frame = [];
      return;
    }
    if (frame === undefined) return;
    if (escaped) frame.push(b === 0xdc ? 0xc0 : 0xdb);
    else if (b !== 0xdb) frame.push(b);
    escaped = !escaped && b === 0xdb;
  };
  const receive = chip.receive.bind(chip);
  chip.receive = (data) => {
    for (const b of data) push(b);
    receive(data);
  };
  const setLines = chip.setLines.bind(chip);
  chip.setLines = (lines) => {
    events.push({ kind: "lines", dtr: lines.dtr, rts: lines.rts });
    setLines(lines);
  };
  const described = () => events.map(describeEvent);
  return {
    events,
    text: () => Buffer.from(output).toString("latin1"),
    from: (prefix) => {
      const all = described();
      const at = all.findIndex((d) => d.startsWith(prefix));
      return at < 0 ? [] : all.slice(at);
    },
    writesTo: (addrs) => described().filter((d) => addrs.some((a) => d.startsWith(`WRITE_REG ${hex(a)}`))),
  };
}

/** Resolves once `ok()` holds; rejects after `timeoutMs`. */
export async function waitFor(ok: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * What a chip answered during one agreement case, in a form two chips can be compared by: every
 * frame becomes a line naming opcode, value, payload and status. The ROM sends 4 status bytes of
 * which only the first two mean anything (bytes 2–3 are leftovers of a buffer, PROTOCOL.md §11),
 * so only those two are kept; the stub sends 2. Long payloads are shown as length + MD5.
 */
import { createHash } from "node:crypto";
import type { RawLink, ReceivedFrame } from "./raw-link.js";

/** Which loader is expected to answer: it decides how many status bytes a response carries. */
export type Personality = "rom" | "stub";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function shortHex(b: Uint8Array): string {
  return b.length <= 48 ? hex(b) : `${b.length}B:md5=${createHash("md5").update(b).digest("hex")}`;
}

/** One frame as a comparable line. */
export function describeFrame(frame: Uint8Array, personality: Personality): string {
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const statusBytes = personality === "rom" ? 4 : 2;
  if (frame.length >= 8 + statusBytes && frame[0] === 1 && v.getUint16(2, true) === frame.length - 8) {
    const end = frame.length - statusBytes;
    const payload = frame.subarray(8, end);
    const status = frame.subarray(end, end + 2);
    const value = v.getUint32(4, true).toString(16).padStart(8, "0");
    return `op=${hex(frame.subarray(1, 2))} value=${value}${payload.length ? ` data=${shortHex(payload)}` : ""} status=${hex(status)}`;
  }
  return `frame=${shortHex(frame)}`;
}

/** How long a step listens (see {@link RawLink.collect}). */
export interface CollectOptions {
  readonly count?: number;
  readonly quietMs?: number;
  readonly settleMs?: number;
  readonly maxMs?: number;
}

/** A labelled step's frames. */
export interface TranscriptEntry {
  readonly label: string;
  readonly frames: readonly string[];
}

/**
 * One chip's side of a case: sends, waits and records. Cases are written once against this class
 * and run on both chips at the same time.
 */
export class Session {
  readonly entries: TranscriptEntry[] = [];

  constructor(
    readonly link: RawLink,
    /** Who answers now; switch to `stub` once the stub said OHAI. */
    public personality: Personality,
  ) {}

  /** SLIP-encodes the packets and writes them back to back in one write. */
  send(...packets: Uint8Array[]): void {
    this.link.send(...packets);
  }

  /** Writes raw bytes. */
  write(bytes: Uint8Array): void {
    this.link.write(bytes);
  }

  /** Waits. */
  sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  /** Drops whatever arrived unasked (late replies of an earlier step, boot text). */
  drain(): void {
    this.link.drain();
  }

  /**
   * Records the frames that arrive (see {@link RawLink.collect}) under `label`: `count` frames are
   * waited for up to `maxMs`, then `settleMs` of silence ends the step; without a count (or with
   * 0), `quietMs` of silence does.
   */
  async collect(label: string, opts: CollectOptions = {}): Promise<ReceivedFrame[]> {
    const frames = await this.link.collect({ quietMs: opts.quietMs ?? 300, maxMs: opts.maxMs ?? 6000, ...opts });
    this.entries.push({ label, frames: frames.map((f) => describeFrame(f.bytes, this.personality)) });
    return frames;
  }

  /**
   * Like {@link collect}, but records only response packets (direction 1, consistent size): after
   * the ROM has left the loader, its console echoes input as text that may look like frames.
   */
  async collectResponses(label: string, opts: CollectOptions = {}): Promise<void> {
    const frames = await this.link.collect({ quietMs: opts.quietMs ?? 300, maxMs: opts.maxMs ?? 6000, ...opts });
    const responses = frames.filter((f) => f.bytes.length >= 8 && f.bytes[0] === 1 && f.bytes.length - 8 === (f.bytes[2] as number) + ((f.bytes[3] as number) << 8));
    this.entries.push({ label, frames: responses.map((f) => describeFrame(f.bytes, this.personality)) });
  }

  /** Sends `packets` in one write and records the answers under `label`. */
  async exchange(label: string, packets: Uint8Array[], opts: CollectOptions = {}): Promise<ReceivedFrame[]> {
    this.send(...packets);
    return this.collect(label, { count: opts.count ?? 1, ...opts });
  }

  /** The frames recorded under `label` (the first entry with that label). */
  frames(label: string): readonly string[] {
    const e = this.entries.find((x) => x.label === label);
    if (!e) throw new Error(`no step "${label}" in this transcript`);
    return e.frames;
  }

  /** The transcript as lines, for `toEqual` diffs. */
  lines(): string[] {
    return this.entries.map((e) => `${e.label}: ${e.frames.length ? e.frames.join(" | ") : "(nothing)"}`);
  }
}

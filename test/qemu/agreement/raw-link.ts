/**
 * A raw SLIP client over TCP for the agreement tests: it writes bytes exactly as given (several
 * frames in one write, a frame split across writes, a lone C0) and splits what comes back into
 * frames with arrival times. Unlike a flasher it tolerates text between frames (ROM banners, the
 * ROM console) and keeps it aside, so a test can see everything the chip sent.
 */
import { connect, type Socket } from "node:net";

/** One SLIP frame as received, unescaped, with its arrival time. */
export interface ReceivedFrame {
  readonly bytes: Uint8Array;
  readonly atMs: number;
}

/** SLIP-encodes one packet (PROTOCOL.md §1.1), independently of the simulator's encoder. */
export function slipFrame(packet: Uint8Array): Uint8Array {
  const out: number[] = [0xc0];
  for (const b of packet) {
    if (b === 0xc0) out.push(0xdb, 0xdc);
    else if (b === 0xdb) out.push(0xdb, 0xdd);
    else out.push(b);
  }
  out.push(0xc0);
  return Uint8Array.from(out);
}

/** A TCP connection to a chip's UART (QEMU's `-serial tcp:` or `espsync sim --listen`). */
export class RawLink {
  private frames: ReceivedFrame[] = [];
  private partial: number[] | undefined;
  private escaping = false;
  private wake: (() => void) | undefined;
  private readonly startMs = Date.now();
  /** Bytes received outside frames (boot text, console output). */
  text = "";

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const b of chunk) this.feed(b);
      this.wake?.();
    });
    socket.on("error", () => undefined); // a closed peer shows up as silence
  }

  /** Connects to `127.0.0.1:port`; rejects after `timeoutMs`. */
  static open(port: number, timeoutMs = 3000): Promise<RawLink> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no TCP connection to 127.0.0.1:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new RawLink(socket));
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Milliseconds since the link opened. */
  get nowMs(): number {
    return Date.now() - this.startMs;
  }

  /** Writes raw bytes in one socket write. */
  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** SLIP-encodes `packets` and writes them back to back in one socket write. */
  send(...packets: Uint8Array[]): void {
    this.write(Buffer.concat(packets.map(slipFrame)));
  }

  /** Forgets everything received so far, including a partly received frame. */
  drain(): void {
    this.frames = [];
    this.partial = undefined;
    this.escaping = false;
    this.text = "";
  }

  /** The next frame, or undefined when none arrives within `timeoutMs`. */
  async next(timeoutMs: number): Promise<ReceivedFrame | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.frames.shift();
  }

  /**
   * Frames until `count` have arrived (then `settleMs` more of silence, to catch extras) — or,
   * without a count, until nothing arrives for `quietMs`; never longer than `maxMs`.
   */
  async collect(opts: { quietMs: number; maxMs: number; count?: number; settleMs?: number }): Promise<ReceivedFrame[]> {
    const out: ReceivedFrame[] = [];
    const deadline = Date.now() + opts.maxMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return out;
      const counting = opts.count !== undefined && opts.count > 0;
      const silenceMs = counting ? (opts.settleMs ?? 80) : opts.quietMs;
      const waitMs = counting && out.length < (opts.count as number) ? left : Math.min(silenceMs, left);
      const f = await this.next(waitMs);
      if (!f) return out;
      out.push(f);
    }
  }

  /** Waits until text outside frames matches `pattern`; false after `timeoutMs`. */
  async waitForText(pattern: RegExp, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.text)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return true;
  }

  /** Closes the connection. */
  close(): void {
    this.socket.destroy();
  }

  private feed(b: number): void {
    if (this.partial === undefined) {
      if (b === 0xc0) this.partial = [];
      else this.text += String.fromCharCode(b);
      return;
    }
    if (this.escaping) {
      this.escaping = false;
      this.partial.push(b === 0xdc ? 0xc0 : b === 0xdd ? 0xdb : b);
      return;
    }
    if (b === 0xdb) {
      this.escaping = true;
    } else if (b === 0xc0) {
      // `C0 C0`: the second END opens the next frame; an empty frame carries nothing.
      if (this.partial.length === 0) return;
      this.frames.push({ bytes: Uint8Array.from(this.partial), atMs: this.nowMs });
      this.partial = undefined;
    } else {
      this.partial.push(b);
    }
  }
}

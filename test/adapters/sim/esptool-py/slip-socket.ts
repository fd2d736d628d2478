/**
 * The serial side of the scripted esptool.py host: a real TCP socket (what pyserial's `socket://`
 * opens) read the way esptool.py's `slip_reader` reads it (PROTOCOL.md §1.1): a byte other than
 * 0xC0 while waiting for a frame is fatal ("Invalid head of packet"), an escape other than DB DC /
 * DB DD is fatal, and a read that sees no byte within the port timeout is fatal.
 */
import { connect, type Socket } from "node:net";

/** The error esptool.py raises (`FatalError`); `message` mirrors its wording. */
export class FatalError extends Error {
  /** The two status bytes when the failure came from a reply (`FatalError.WithResult`). */
  constructor(message: string, readonly status?: Uint8Array) {
    super(message);
  }
}

/** A connected socket with esptool.py's SLIP reader on top. */
export class SlipSocket {
  private pending: number[] = [];
  private partial: number[] | undefined;
  private escaping = false;
  private wake: (() => void) | undefined;
  private closed = false;
  /** Every byte written, for wire-level assertions. */
  bytesWritten = 0;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const b of chunk) this.pending.push(b);
      this.wake?.();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on("error", () => undefined); // "close" follows
  }

  /** Opens `socket://host:port`; rejects after `timeoutMs`. */
  static open(host: string, port: number, timeoutMs = 3000): Promise<SlipSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new FatalError(`could not open socket://${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new SlipSocket(socket));
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(new FatalError(`could not open socket://${host}:${port}: ${e.message}`));
      });
    });
  }

  /** `ESPLoader.write`: SLIP-escapes and frames `packet`. */
  write(packet: Uint8Array): void {
    const out: number[] = [0xc0];
    for (const b of packet) {
      if (b === 0xdb) out.push(0xdb, 0xdd);
      else if (b === 0xc0) out.push(0xdb, 0xdc);
      else out.push(b);
    }
    out.push(0xc0);
    this.bytesWritten += out.length;
    this.socket.write(Uint8Array.from(out));
  }

  /** `flush_input`: drops buffered input and restarts the SLIP reader. */
  flushInput(): void {
    this.pending = [];
    this.partial = undefined;
    this.escaping = false;
  }

  /** Raw bytes waiting (pyserial `inWaiting`), consumed: used by the unsupported-command drain. */
  drainRaw(maxBytes: number): number {
    const n = Math.min(maxBytes, this.pending.length);
    this.pending.splice(0, n);
    return n;
  }

  /** Reads one SLIP frame; `timeoutMs` is the port timeout of each underlying read. */
  async readFrame(timeoutMs: number): Promise<Uint8Array> {
    for (;;) {
      while (this.pending.length > 0) {
        const b = this.pending.shift() as number;
        if (this.partial === undefined) {
          if (b === 0xc0) this.partial = [];
          else throw new FatalError(`Invalid head of packet (0x${b.toString(16).padStart(2, "0")}): Possible serial noise or corruption.`);
        } else if (this.escaping) {
          this.escaping = false;
          if (b === 0xdc) this.partial.push(0xc0);
          else if (b === 0xdd) this.partial.push(0xdb);
          else throw new FatalError(`Invalid SLIP escape (0xdb, 0x${b.toString(16)}).`);
        } else if (b === 0xdb) {
          this.escaping = true;
        } else if (b === 0xc0) {
          const frame = Uint8Array.from(this.partial);
          this.partial = undefined;
          return frame;
        } else {
          this.partial.push(b);
        }
      }
      if (this.closed) throw new FatalError("the simulator closed the connection");
      const got = await this.waitForData(timeoutMs);
      if (!got) {
        throw new FatalError(this.partial === undefined ? "No serial data received." : `Packet content transfer stopped (received ${this.partial.length} bytes).`);
      }
    }
  }

  /** Waits `ms` (esptool.py's `time.sleep`). */
  sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  /** Closes the port (esptool exits). */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.end();
      setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 500).unref();
    });
  }

  private waitForData(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(false);
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(true);
      };
    });
  }
}

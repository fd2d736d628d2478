/**
 * The `Device` implementation: one connected chip, operations run one at a time, every failure an
 * `EspsyncError`. The protocol work lives in the flash-* files; this class sequences and guards.
 */
import { EspsyncError } from "../errors.js";
import type { AfterMode, ByteProgress, ChipDescription, Device, ReadOptions, WriteOptions, WriteStats } from "./device.js";
import { flashEraseAll, flashEraseRegion } from "./flash-erase.js";
import { flashMd5, flashMd5Many, type Md5Range } from "./flash-md5.js";
import { flashRead } from "./flash-read.js";
import { flashWrite } from "./flash-write.js";
import { finishSession } from "./finish.js";
import { translateError } from "./protocol-errors.js";
import { recoverSession } from "./recover.js";
import type { Session } from "./session.js";

/** A connected chip; see the module comment. */
export class EspDevice implements Device {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly description: ChipDescription,
    private readonly session: Session,
  ) {}

  /** What was learnt at connect; writes through the ROM stop being an option once the stub runs. */
  get chip(): ChipDescription {
    if (this.description.romWrites === undefined || !this.session.state.stub) return this.description;
    const { romWrites: _gone, ...rest } = this.description;
    return rest;
  }

  /** Runs operations strictly one after another: the serial protocol has one conversation. */
  private exclusive<T>(what: string, op: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) {
        throw new EspsyncError("PORT_CLOSED", `${what}: the device was already closed`, { hint: "Connect again before using the device." });
      }
      try {
        return await op();
      } catch (err) {
        throw translateError(err, this.session.link.context(what));
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  md5(addr: number, sizeBytes: number): Promise<Uint8Array> {
    return this.exclusive("md5", () => flashMd5(this.session, addr, sizeBytes));
  }

  md5Many(ranges: readonly Md5Range[]): Promise<Uint8Array[]> {
    return this.exclusive("md5Many", () => flashMd5Many(this.session, ranges));
  }

  // Writes, erases and reads need the flasher stub (the ROM has no ERASE_REGION or fast read, and
  // writes 1 KiB at a time): it is uploaded by the first of them (Session.ensureStub).

  write(addr: number, data: Uint8Array, options?: WriteOptions): Promise<WriteStats> {
    if (options?.viaRom === true) return this.exclusive("write", () => flashWrite(this.session, addr, data, options));
    return this.exclusive("write", () => this.withStub(() => flashWrite(this.session, addr, data, options)));
  }

  eraseRegion(addr: number, sizeBytes: number): Promise<void> {
    return this.exclusive("eraseRegion", () => this.withStub(() => flashEraseRegion(this.session, addr, sizeBytes)));
  }

  eraseAll(): Promise<void> {
    return this.exclusive("eraseAll", () => this.withStub(() => flashEraseAll(this.session)));
  }

  read(addr: number, sizeBytes: number, onProgress?: ByteProgress, options: ReadOptions = {}): Promise<Uint8Array> {
    return this.exclusive("read", () => this.withStub(() => flashRead(this.session, addr, sizeBytes, onProgress, options)));
  }

  private async withStub<T>(op: () => Promise<T>): Promise<T> {
    await this.session.ensureStub();
    return op();
  }

  recover(): Promise<void> {
    return this.exclusive("recovery", () => recoverSession(this.session));
  }

  async finish(after: AfterMode): Promise<void> {
    try {
      await this.exclusive(`finish (${after})`, () => {
        // Resetting the chip is the point now: its boot banner is expected, not a failure.
        if (after === "hard_reset" || after === "watchdog_reset") this.session.watch.pause();
        return finishSession(this.session, after);
      });
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    this.session.watch.pause();
    await releaseTransport(this.session);
    this.session.watch.dispose();
  }
}

/** Closes esptool-js's transport (cancels its read loop, closes the port); never throws. */
export async function releaseTransport(session: Pick<Session, "loader" | "port">): Promise<void> {
  try {
    await session.loader.transport.disconnect();
  } catch {
    // The port may already be gone; closing it directly is all that is left to do.
    await session.port.close().catch(() => undefined);
  }
}

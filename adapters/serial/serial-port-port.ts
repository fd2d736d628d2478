/**
 * A local serial port (`/dev/ttyUSB0`, `/dev/cu.usbserial-*`, `COM3`) through the `serialport` package.
 *
 * Exclusivity: the port is opened with serialport's `lock: true`, which on Linux and macOS takes an
 * exclusive `flock` on the device; a second open — in this process or another — fails at once and is
 * reported as `PORT_BUSY` (verified in the tests against a real pseudo-terminal). Windows opens COM
 * ports exclusively by itself.
 *
 * Control lines: a device without modem-control lines (a pseudo-terminal) rejects the ioctl; `setLines`
 * then resolves, `controlLinesState` becomes "absent" and `capabilities.controlLines` turns false, the
 * same rule the RFC 2217 port follows, so the device layer can report that reset is unavailable.
 */
import { realpath } from "node:fs/promises";
import type { SerialPort } from "serialport";
import { EspsyncError } from "../../src/errors.js";
import type { ControlLines, Port, PortCapabilities, PortInfo } from "../../src/transport/port.js";
import { PortListeners, toBytes } from "../../src/transport/port-listeners.js";
import { listSerialPorts, type SerialPortListing } from "./list-ports.js";
import { classifySerialError, mapSerialOpenError } from "./serial-errors.js";

/** Deadline for driver calls that normally finish in microseconds (set lines, change baud, close). */
const OPERATION_TIMEOUT_MS = 2_000;

/** Options of {@link SerialPortPort}. */
export interface SerialPortPortOptions {
  /** What discovery already knows about the port (skips the lookup in `open`). */
  listing?: SerialPortListing;
  /** How long `open` may take (default 5000 ms). */
  openTimeoutMs?: number;
}

/** Whether the device drives DTR/RTS: unknown until the first `setLines`. */
export type SerialControlLinesState = "unknown" | "present" | "absent";

/** A `Port` over a local serial device. */
export class SerialPortPort implements Port {
  private readonly path: string;
  private readonly openTimeoutMs: number;
  private readonly listeners = new PortListeners();
  private listing: SerialPortListing | undefined;
  private port: SerialPort | undefined;
  private lostError: EspsyncError | undefined;
  private currentBaudRate = 0;
  private lines: SerialControlLinesState = "unknown";
  /** Writes in flight; rejected when the device disappears (their callbacks may never come). */
  private readonly pendingWrites = new Set<(error: EspsyncError) => void>();

  constructor(path: string, options: SerialPortPortOptions = {}) {
    this.path = path;
    this.listing = options.listing;
    this.openTimeoutMs = options.openTimeoutMs ?? 5_000;
  }

  /** Path plus the USB identity discovery found (filled in by `open`). */
  get info(): PortInfo {
    const l = this.listing;
    return {
      path: this.path,
      ...(l?.vid === undefined ? {} : { usbVendorId: l.vid }),
      ...(l?.pid === undefined ? {} : { usbProductId: l.pid }),
      ...(l?.serialNumber === undefined ? {} : { serialNumber: l.serialNumber }),
    };
  }

  /** `controlLines` is false once the device rejected DTR/RTS (see the file comment). */
  get capabilities(): PortCapabilities {
    return { controlLines: this.lines !== "absent", setBaudRate: true };
  }

  /** Whether the device has been seen to accept DTR/RTS. */
  get controlLinesState(): SerialControlLinesState {
    return this.lines;
  }

  get baudRate(): number {
    return this.currentBaudRate;
  }

  async open(baudRate: number): Promise<void> {
    if (this.port !== undefined) {
      throw new EspsyncError("USAGE", `serial port ${this.path} is already open`, { hint: "Close the port before opening it again." });
    }
    // Loaded on first use: its native binding costs a tenth of a second at start-up, which sim:,
    // socket:// and rfc2217:// sessions never need.
    const { SerialPort: SerialPortClass } = await import("serialport");
    const port = new SerialPortClass({ path: this.path, baudRate, autoOpen: false, lock: true });
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve()))),
        this.openTimeoutMs,
        () => new EspsyncError("TIMEOUT", `opening serial port ${this.path} took longer than ${this.openTimeoutMs} ms`, {
          hint: "Unplug and replug the board; the driver may be stuck.",
        }),
      );
    } catch (err) {
      if (err instanceof EspsyncError) {
        port.once("open", () => port.close()); // a late open must not keep the lock
        throw err;
      }
      const known = classifySerialError(err) === "not-found" ? (await listSerialPorts()).map((p) => p.path) : [];
      throw mapSerialOpenError(err, this.path, known);
    }
    this.port = port;
    this.lostError = undefined;
    this.currentBaudRate = baudRate;
    this.lines = "unknown";
    this.listeners.reset();
    port.on("data", (chunk: Buffer) => this.listeners.emitData(toBytes(chunk)));
    port.on("error", (err: Error) => {
      this.lostError ??= this.lost(err);
    });
    port.on("close", (err?: Error | null) => {
      if (this.port !== port) return; // our own close(): already reported
      this.port = undefined;
      const error = this.lostError ?? this.lost(err ?? undefined);
      this.lostError = error;
      for (const fail of [...this.pendingWrites]) fail(error);
      this.listeners.emitClose(error);
    });
    this.listing ??= await this.discover();
  }

  write(data: Uint8Array): Promise<void> {
    const port = this.port;
    if (port === undefined || !port.isOpen) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      const fail = (error: EspsyncError): void => {
        this.pendingWrites.delete(fail);
        reject(error);
      };
      this.pendingWrites.add(fail);
      port.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength), (err) => {
        this.pendingWrites.delete(fail);
        if (err) reject(this.lost(err));
        else resolve();
      });
    });
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.listeners.addData(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.listeners.addClose(listener);
  }

  async setLines(lines: ControlLines): Promise<void> {
    if (this.lines === "absent") return;
    const port = this.requirePort();
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => port.set({ dtr: lines.dtr, rts: lines.rts }, (err) => (err ? reject(err) : resolve()))),
        OPERATION_TIMEOUT_MS,
        () => this.stuck("setting DTR/RTS"),
      );
      this.lines = "present";
    } catch (err) {
      if (err instanceof EspsyncError) throw err;
      if (classifySerialError(err) !== "not-a-tty") throw this.lost(err);
      this.lines = "absent";
    }
  }

  async setBaudRate(baudRate: number): Promise<void> {
    const port = this.requirePort();
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => port.update({ baudRate }, (err) => (err ? reject(err) : resolve()))),
        OPERATION_TIMEOUT_MS,
        () => this.stuck(`switching to ${baudRate} baud`),
      );
    } catch (err) {
      if (err instanceof EspsyncError) throw err;
      throw new EspsyncError("UNSUPPORTED", `serial port ${this.path} cannot switch to ${baudRate} baud`, {
        hint: "Choose a standard rate such as 115200, 460800 or 921600, or one the USB bridge supports.",
        cause: err,
      });
    }
    this.currentBaudRate = baudRate;
  }

  close(): Promise<void> {
    const port = this.port;
    if (port === undefined) return Promise.resolve();
    this.port = undefined;
    const closed = this.closedError();
    for (const fail of [...this.pendingWrites]) fail(closed);
    return new Promise((resolve) => {
      const done = (): void => {
        this.listeners.emitClose();
        resolve();
      };
      if (!port.isOpen) return done();
      // An error here means it is already gone: nothing left to release. A driver that never answers
      // must not hang the caller; the OS releases the descriptor and lock at exit.
      const timer = setTimeout(done, OPERATION_TIMEOUT_MS);
      port.close(() => {
        clearTimeout(timer);
        done();
      });
    });
  }

  /** Looks the port up in discovery (by its real path, so symlinks like /dev/serial/by-id/* match). */
  private async discover(): Promise<SerialPortListing | undefined> {
    try {
      const real = await realpath(this.path).catch(() => this.path);
      const ports = await withTimeout(listSerialPorts(), 2_000, () => new Error("discovery timed out"));
      return ports.find((p) => p.path === this.path || p.path === real);
    } catch {
      return undefined; // identity is a nicety (USB reset choice); never fail the open for it
    }
  }

  private requirePort(): SerialPort {
    const port = this.port;
    if (port === undefined || !port.isOpen) throw this.closedError();
    return port;
  }

  private stuck(what: string): EspsyncError {
    return new EspsyncError("TIMEOUT", `serial port ${this.path}: ${what} took longer than ${OPERATION_TIMEOUT_MS} ms`, {
      hint: "Unplug and replug the board; the driver may be stuck.",
    });
  }

  private lost(cause: unknown): EspsyncError {
    return new EspsyncError("PORT_CLOSED", `serial port ${this.path} was disconnected`, {
      hint: "Check the cable (and that the board did not reset into a different USB mode), then run the command again.",
      cause,
    });
  }

  private closedError(): EspsyncError {
    return this.lostError ?? new EspsyncError("PORT_CLOSED", `serial port ${this.path} is not open`, { hint: "Open the port first." });
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

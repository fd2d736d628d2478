/**
 * A {@link SerialEndpoint} over a {@link Port}: the reverse of the usual direction, so the servers that
 * expose a device (RFC 2217, raw TCP) can expose a real board — or any other port, `sim:` included —
 * through the same code that serves the virtual chip.
 *
 * `SerialEndpoint` calls are synchronous and the `Port` is promise-based, so every operation (open,
 * write, DTR/RTS, baud rate) goes through one queue: they reach the port in the order the client sent
 * them (a reset sequence and the SYNC after it must not overtake each other). When the port fails or
 * goes away (a board unplugged), the endpoint reports it once through {@link PortEndpoint.onGone} and
 * drops everything after it.
 */
import { EspsyncError } from "../errors.js";
import type { SerialEndpoint } from "./endpoint.js";
import type { ControlLines, Port } from "./port.js";

/** Options of {@link PortEndpoint}. */
export interface PortEndpointOptions {
  /** Baud rate the port is opened at, until the client asks for another (default 115200). */
  initialBaudRate?: number;
}

/** A `SerialEndpoint` that drives a `Port`; see the module comment. */
export class PortEndpoint implements SerialEndpoint {
  private readonly transmitListeners = new Set<(data: Uint8Array) => void>();
  private readonly goneListeners = new Set<(error: Error) => void>();
  private readonly initialBaudRate: number;
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void)[] = [];
  private goneError: Error | undefined;
  private closing = false;

  constructor(
    readonly port: Port,
    options: PortEndpointOptions = {},
  ) {
    this.initialBaudRate = options.initialBaudRate ?? 115_200;
  }

  /**
   * Opens the port; rejects with the port's own `EspsyncError` (PORT_NOT_FOUND, PORT_BUSY, …) when it
   * cannot. Operations requested before it resolves wait for it.
   */
  open(): Promise<void> {
    const opened = this.queue.then(async () => {
      await this.port.open(this.initialBaudRate);
      this.unsubscribe = [
        this.port.onData((chunk) => {
          for (const listener of [...this.transmitListeners]) listener(chunk);
        }),
        this.port.onClose((error) => {
          if (!this.closing) this.fail(error ?? closedError(this.port.info.path));
        }),
      ];
    });
    this.queue = opened.catch((error: unknown) => this.fail(error));
    return opened;
  }

  receive(data: Uint8Array): void {
    this.enqueue(() => this.port.write(data));
  }

  onTransmit(listener: (data: Uint8Array) => void): () => void {
    this.transmitListeners.add(listener);
    return () => this.transmitListeners.delete(listener);
  }

  setLines(lines: ControlLines): void {
    const copy = { dtr: lines.dtr, rts: lines.rts };
    this.enqueue(() => this.port.setLines(copy));
  }

  setBaudRate(baudRate: number): void {
    this.enqueue(() => this.port.setBaudRate(baudRate));
  }

  /**
   * Registers a listener called once when the port fails or goes away (not after {@link close});
   * called at once when that already happened. Returns a function that removes it.
   */
  onGone(listener: (error: Error) => void): () => void {
    if (this.goneError !== undefined) {
      listener(this.goneError);
      return () => undefined;
    }
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  /**
   * Lets the operations already queued finish (for at most `drainTimeoutMs`, default 1000 ms: a
   * wedged driver must not keep the board), then stops forwarding and closes the port. Never rejects.
   */
  async close(drainTimeoutMs = 1_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.goneListeners.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue, new Promise<void>((resolve) => (timer = setTimeout(resolve, drainTimeoutMs)))]);
    clearTimeout(timer);
    for (const stop of this.unsubscribe.splice(0)) stop();
    this.transmitListeners.clear();
    await this.port.close().catch(() => undefined);
  }

  private enqueue(operation: () => Promise<void>): void {
    if (this.closing) return;
    this.queue = this.queue.then(async () => {
      if (this.goneError !== undefined) return;
      try {
        await operation();
      } catch (error) {
        this.fail(error);
      }
    });
  }

  private fail(error: unknown): void {
    if (this.goneError !== undefined) return;
    this.goneError = error instanceof Error ? error : new Error(String(error));
    for (const listener of [...this.goneListeners]) listener(this.goneError);
    this.goneListeners.clear();
  }
}

function closedError(path: string): EspsyncError {
  return new EspsyncError("PORT_CLOSED", `${path} closed while it was being served`, {
    hint: "The board went away (unplugged, or reset through its own USB port); it is served again when it returns.",
  });
}

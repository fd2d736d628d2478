/**
 * The Web Serial `SerialPort` surface esptool-js 0.7.0 drives (its `Transport` class), built on a
 * `Port`. esptool-js opens/closes the port, takes a reader from `readable` for every read and
 * releases it, cancels it on disconnect, writes through `writable`, sets DTR/RTS with `setSignals`
 * (often one line at a time), and prefers an in-place `setBaudRate` when the port offers one.
 */
import { ReadableStream, WritableStream, type ReadableStreamDefaultController } from "node:stream/web";
import type { Port } from "./port.js";

/** Options esptool-js passes to `open`. */
export interface WebSerialOpenOptions {
  baudRate: number;
  [other: string]: unknown;
}

/** Signals as Web Serial names them; absent members keep their last value. */
export interface WebSerialSignals {
  dataTerminalReady?: boolean;
  requestToSend?: boolean;
  break?: boolean;
}

/** The Web Serial members esptool-js uses. `setBaudRate` exists only when the port can do it. */
export interface WebSerialPortLike {
  readable: ReadableStream<Uint8Array> | null;
  writable: WritableStream<Uint8Array> | null;
  open(options: WebSerialOpenOptions): Promise<void>;
  close(): Promise<void>;
  getInfo(): { usbVendorId?: number; usbProductId?: number };
  setSignals(signals: WebSerialSignals): Promise<void>;
  setBaudRate?: (baudRate: number) => Promise<void>;
}

/** The error Web Serial reports when the device goes away (esptool-js stops its read loop). */
function deviceLost(cause?: Error): Error {
  const e = new Error(`The device has been lost.${cause ? ` ${cause.message}` : ""}`, { cause });
  e.name = "NetworkError";
  return e;
}

/** Wraps `port` as a Web Serial port for esptool-js. Each `open` creates fresh streams. */
export function toWebSerialPort(port: Port): WebSerialPortLike {
  let dtr = false;
  let rts = false;
  let detach: (() => void)[] = [];
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;

  const teardown = (error?: Error): void => {
    for (const d of detach) d();
    detach = [];
    const c = controller;
    controller = undefined;
    shim.readable = null;
    shim.writable = null;
    if (!c) return;
    try {
      if (error) c.error(deviceLost(error));
      else c.close();
    } catch {
      // the stream was already cancelled by the reader
    }
  };

  const shim: WebSerialPortLike = {
    readable: null,
    writable: null,
    async open(options: WebSerialOpenOptions): Promise<void> {
      await port.open(options.baudRate);
      const readable = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
        },
        cancel() {
          // esptool-js cancels its reader before closing; no further chunks are wanted.
          controller = undefined;
        },
      });
      shim.readable = readable;
      shim.writable = new WritableStream<Uint8Array>({
        write: (chunk) => port.write(chunk),
      });
      detach = [
        port.onData((chunk) => {
          try {
            controller?.enqueue(chunk);
          } catch {
            // stream closed or cancelled meanwhile
          }
        }),
        port.onClose((error) => teardown(error)),
      ];
    },
    async close(): Promise<void> {
      teardown();
      await port.close();
    },
    getInfo() {
      return { usbVendorId: port.info.usbVendorId, usbProductId: port.info.usbProductId };
    },
    async setSignals(signals: WebSerialSignals): Promise<void> {
      if (signals.dataTerminalReady !== undefined) dtr = signals.dataTerminalReady;
      if (signals.requestToSend !== undefined) rts = signals.requestToSend;
      // Both lines always travel together (Port contract), so adapters never guess the other one.
      await port.setLines({ dtr, rts });
    },
  };
  if (port.capabilities.setBaudRate) shim.setBaudRate = (baudRate: number) => port.setBaudRate(baudRate);
  return shim;
}

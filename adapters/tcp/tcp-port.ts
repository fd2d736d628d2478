/**
 * `socket://host:port`: the raw TCP link esptool and Espressif's QEMU call a "socket" port. Bytes pass
 * unchanged; there are no modem-control lines and no host-side baud rate to change (the far end, e.g.
 * QEMU's UART or `espsync sim`, decides how fast bytes move).
 */
import type { Socket } from "node:net";
import { EspsyncError } from "../../src/errors.js";
import type { ControlLines, Port, PortCapabilities, PortInfo } from "../../src/transport/port.js";
import { connectTcp, DEFAULT_CONNECT_TIMEOUT_MS, mapSocketError } from "./connect.js";
import { parseNetworkUrl, type HostPort } from "./host-port.js";
import { PortListeners, toBytes } from "../../src/transport/port-listeners.js";

/** Options of {@link TcpPort}. */
export interface TcpPortOptions {
  /** How long `open` waits for the TCP connection (default 5000 ms). */
  connectTimeoutMs?: number;
}

/** A `Port` over a raw TCP connection (`socket://host:port`). */
export class TcpPort implements Port {
  readonly info: PortInfo;
  readonly capabilities: PortCapabilities = { controlLines: false, setBaudRate: false };
  private readonly target: HostPort;
  private readonly connectTimeoutMs: number;
  private readonly listeners = new PortListeners();
  private socket: Socket | undefined;
  private lostError: EspsyncError | undefined;
  private currentBaudRate = 0;

  /** `url` is `socket://host:port`; throws `USAGE` when it is not. */
  constructor(url: string, options: TcpPortOptions = {}) {
    this.target = parseNetworkUrl(url, "socket");
    this.info = { path: url };
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  /** Informational only: the baud rate `open` was called with. */
  get baudRate(): number {
    return this.currentBaudRate;
  }

  async open(baudRate: number): Promise<void> {
    if (this.socket !== undefined) {
      throw new EspsyncError("USAGE", `${this.info.path} is already open`, { hint: "Close the port before opening it again." });
    }
    const socket = await connectTcp(this.target, this.info.path, this.connectTimeoutMs);
    this.socket = socket;
    this.lostError = undefined;
    this.currentBaudRate = baudRate;
    this.listeners.reset();
    socket.on("data", (chunk: Buffer) => this.listeners.emitData(toBytes(chunk)));
    socket.on("error", (err) => {
      // Remember why; the "close" event that always follows reports it.
      this.lostError = mapSocketError(err, this.info.path, this.target);
    });
    socket.on("close", () => {
      if (this.socket !== socket) return; // closed by us: close() already reported it
      this.socket = undefined;
      const error =
        this.lostError ??
        new EspsyncError("PORT_CLOSED", `${this.info.path}: the server closed the connection`, {
          hint: "The server went away or accepts one client at a time; check it and run the command again.",
        });
      this.lostError = error;
      this.listeners.emitClose(error);
    });
  }

  write(data: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      socket.write(data, (err) => (err ? reject(this.lostError ?? mapSocketError(err, this.info.path, this.target)) : resolve()));
    });
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.listeners.addData(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.listeners.addClose(listener);
  }

  /** No lines on a raw socket: resolves without doing anything (see `capabilities`). */
  setLines(_lines: ControlLines): Promise<void> {
    return Promise.resolve();
  }

  setBaudRate(baudRate: number): Promise<void> {
    return Promise.reject(
      new EspsyncError("UNSUPPORTED", `${this.info.path}: a raw TCP port cannot change the baud rate to ${baudRate}`, {
        hint: "The server side decides the speed; keep the default baud rate for socket:// ports.",
      }),
    );
  }

  close(): Promise<void> {
    const socket = this.socket;
    if (socket === undefined) return Promise.resolve();
    this.socket = undefined;
    return new Promise((resolve) => {
      // end() flushes what was written; destroy() after a bounded wait in case the peer never closes.
      const timer = setTimeout(() => socket.destroy(), 1_000);
      socket.once("close", () => {
        clearTimeout(timer);
        this.listeners.emitClose();
        resolve();
      });
      socket.end();
    });
  }

  private closedError(): EspsyncError {
    return (
      this.lostError ??
      new EspsyncError("PORT_CLOSED", `${this.info.path} is not open`, { hint: "Open the port before writing to it." })
    );
  }
}

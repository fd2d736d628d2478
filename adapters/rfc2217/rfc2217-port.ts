/**
 * `rfc2217://host:port`: a serial port on another machine behind an RFC 2217 server (ser2net, or
 * `espsync sim --rfc2217`). Data is telnet-escaped; baud rate and DTR/RTS travel as COM-PORT-OPTION
 * subnegotiations.
 *
 * Control lines: the first `setLines` waits a bounded time (`controlAckTimeoutMs`) for the server's
 * SET-CONTROL acknowledgement. A server that never acknowledges (ser2net in front of a pseudo-terminal,
 * PROTOCOL.md §9) has no lines to drive: `controlLinesState` becomes "absent", `capabilities.controlLines`
 * turns false from then on, and later `setLines` calls resolve at once without sending anything. The
 * device layer reads `capabilities.controlLines` after its reset attempt to tell the user that
 * reset-into-bootloader is not available on that port.
 *
 * Refusals: `espsync serve` answers a client it cannot give the board with one line of text instead
 * of RFC 2217 (refusal.ts); `open` rejects with that text as `PORT_BUSY` (naming the client that holds
 * the board) or `PORT_NOT_FOUND`.
 */
import type { Socket } from "node:net";
import { EspsyncError } from "../../src/errors.js";
import type { ControlLines, Port, PortCapabilities, PortInfo } from "../../src/transport/port.js";
import { connectTcp, DEFAULT_CONNECT_TIMEOUT_MS, mapSocketError } from "../tcp/connect.js";
import { parseNetworkUrl, type HostPort } from "../tcp/host-port.js";
import { PortListeners } from "../../src/transport/port-listeners.js";
import { parseRefusal } from "./refusal.js";
import { ReplyWaiters } from "./reply-waiters.js";
import { encodeComPortByte, encodeSetBaudRate, escapeData, parseComPort, readBaudRate, TelnetDecoder } from "./telnet-codec.js";
import { COM_PORT, LINE_8N1, PURGE, SET_CONTROL, TELNET_OPTION } from "./telnet-constants.js";
import { TelnetNegotiator } from "./telnet-negotiation.js";

/** Options of {@link Rfc2217Port}. */
export interface Rfc2217PortOptions {
  /** How long `open` waits for the TCP connection (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long to wait for negotiation and SET-BAUDRATE acknowledgements (default 2000 ms). */
  ackTimeoutMs?: number;
  /** How long to wait for a SET-CONTROL acknowledgement before deciding there are no lines (default 500 ms). */
  controlAckTimeoutMs?: number;
}

/** Whether the remote port drives DTR/RTS: unknown until the first `setLines`. */
export type ControlLinesState = "unknown" | "present" | "absent";

/** Which buffers of the access server PURGE-DATA discards. */
export type PurgeTarget = "receive" | "transmit" | "both";

const PURGE_VALUE = { receive: PURGE.RECEIVE, transmit: PURGE.TRANSMIT, both: PURGE.BOTH } as const;

/** A refusal is one short line; more than this before negotiation is chip output, not a refusal. */
const MAX_GREETING_BYTES = 1_024;

/** A `Port` speaking RFC 2217 to a remote serial port. */
export class Rfc2217Port implements Port {
  readonly info: PortInfo;
  private readonly target: HostPort;
  private readonly connectTimeoutMs: number;
  private readonly ackTimeoutMs: number;
  private readonly controlAckTimeoutMs: number;
  private readonly listeners = new PortListeners();
  private socket: Socket | undefined;
  private waiters = new ReplyWaiters();
  private negotiator = newNegotiator();
  private lostError: EspsyncError | undefined;
  private currentBaudRate = 0;
  private lines: ControlLinesState = "unknown";
  /** The lines last sent (undefined: none yet), to order the next change. */
  private sentLines: ControlLines | undefined;

  /** `url` is `rfc2217://host:port`; throws `USAGE` when it is not. */
  constructor(url: string, options: Rfc2217PortOptions = {}) {
    this.target = parseNetworkUrl(url, "rfc2217");
    this.info = { path: url };
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 2_000;
    this.controlAckTimeoutMs = options.controlAckTimeoutMs ?? 500;
  }

  /** `controlLines` is false once the server failed to acknowledge SET-CONTROL (see the file comment). */
  get capabilities(): PortCapabilities {
    return { controlLines: this.lines !== "absent", setBaudRate: true };
  }

  /** Whether the remote port has been seen to drive DTR/RTS. */
  get controlLinesState(): ControlLinesState {
    return this.lines;
  }

  /** The baud rate the server last acknowledged. */
  get baudRate(): number {
    return this.currentBaudRate;
  }

  async open(baudRate: number): Promise<void> {
    if (this.socket !== undefined) {
      throw new EspsyncError("USAGE", `${this.info.path} is already open`, { hint: "Close the port before opening it again." });
    }
    const socket = await connectTcp(this.target, this.info.path, this.connectTimeoutMs);
    this.attach(socket);
    try {
      for (const bytes of this.negotiator.requestAll()) socket.write(bytes);
      const agreed = await this.waiters.until(() => this.negotiator.isLocalEnabled(TELNET_OPTION.COM_PORT), this.ackTimeoutMs);
      if (!agreed && this.lostError !== undefined) throw this.lostError; // refused, or closed at once
      if (!agreed) {
        throw new EspsyncError("PROTOCOL_ERROR", `${this.info.path}: the server did not agree to RFC 2217 (COM-PORT-OPTION) within ${this.ackTimeoutMs} ms`, {
          hint: "Is it an RFC 2217 server (ser2net: `accepter: telnet(rfc2217),tcp,…`)? For a raw TCP bridge use socket://HOST:PORT.",
        });
      }
      socket.write(encodeComPortByte(COM_PORT.SET_DATASIZE, LINE_8N1.dataBits));
      socket.write(encodeComPortByte(COM_PORT.SET_PARITY, LINE_8N1.parityNone));
      socket.write(encodeComPortByte(COM_PORT.SET_STOPSIZE, LINE_8N1.stopBits1));
      await this.setBaudRate(baudRate);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  write(data: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      socket.write(escapeData(data), (err) => (err ? reject(this.lostError ?? mapSocketError(err, this.info.path, this.target)) : resolve()));
    });
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.listeners.addData(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.listeners.addClose(listener);
  }

  /**
   * Sends SET-CONTROL for both lines (in one TCP write) and waits up to `controlAckTimeoutMs` for both
   * acknowledgements. Without them the remote is taken to have no lines; this resolves anyway and
   * `capabilities.controlLines` becomes false.
   *
   * A server applies the two one after the other, so the board briefly sees a mix of old and new.
   * When one line rises and the other falls, the rising one goes first: the mix is then both
   * asserted — EN and IO0 high on a dev board's auto-reset circuit, and on the USB-Serial/JTAG
   * peripheral the step that asks for download mode before a reset (esptool's USB reset goes through
   * it on purpose). Otherwise DTR goes first, as esptool orders them.
   */
  async setLines(lines: ControlLines): Promise<void> {
    if (this.lines === "absent") return;
    const socket = this.requireSocket();
    const isDtr = (v: Uint8Array): boolean => v[0] === SET_CONTROL.DTR_ON || v[0] === SET_CONTROL.DTR_OFF;
    const isRts = (v: Uint8Array): boolean => v[0] === SET_CONTROL.RTS_ON || v[0] === SET_CONTROL.RTS_OFF;
    const acks = Promise.all([
      this.waiters.expectReply(COM_PORT.SET_CONTROL, isDtr, this.controlAckTimeoutMs),
      this.waiters.expectReply(COM_PORT.SET_CONTROL, isRts, this.controlAckTimeoutMs),
    ]);
    const dtr = encodeComPortByte(COM_PORT.SET_CONTROL, lines.dtr ? SET_CONTROL.DTR_ON : SET_CONTROL.DTR_OFF);
    const rts = encodeComPortByte(COM_PORT.SET_CONTROL, lines.rts ? SET_CONTROL.RTS_ON : SET_CONTROL.RTS_OFF);
    const previous = this.sentLines;
    const rtsFirst = previous !== undefined && !previous.rts && lines.rts && previous.dtr && !lines.dtr;
    this.sentLines = { dtr: lines.dtr, rts: lines.rts };
    socket.write(Buffer.concat(rtsFirst ? [rts, dtr] : [dtr, rts]));
    const [dtrAck, rtsAck] = await acks;
    this.throwIfLost();
    this.lines = dtrAck !== undefined && rtsAck !== undefined ? "present" : "absent";
  }

  /** Sends SET-BAUDRATE and waits (bounded) for the acknowledgement; rejects `TIMEOUT` without one. */
  async setBaudRate(baudRate: number): Promise<void> {
    const socket = this.requireSocket();
    const ack = this.waiters.expectReply(COM_PORT.SET_BAUDRATE, () => true, this.ackTimeoutMs);
    socket.write(encodeSetBaudRate(baudRate));
    const value = await ack;
    this.throwIfLost();
    if (value === undefined) {
      throw new EspsyncError("TIMEOUT", `${this.info.path}: no acknowledgement of SET-BAUDRATE ${baudRate} within ${this.ackTimeoutMs} ms`, {
        hint: "The RFC 2217 server did not answer; check it (ser2net: `accepter: telnet(rfc2217),…`) and the network.",
      });
    }
    const acknowledged = readBaudRate(value);
    this.currentBaudRate = acknowledged === 0 ? baudRate : acknowledged;
  }

  /** Asks the server to discard buffered data (PURGE-DATA); waits a bounded time for the acknowledgement. */
  async purge(which: PurgeTarget = "both"): Promise<void> {
    const socket = this.requireSocket();
    const ack = this.waiters.expectReply(COM_PORT.PURGE_DATA, () => true, this.controlAckTimeoutMs);
    socket.write(encodeComPortByte(COM_PORT.PURGE_DATA, PURGE_VALUE[which]));
    await ack; // servers that do not acknowledge still purge; nothing to report
    this.throwIfLost();
  }

  close(): Promise<void> {
    const socket = this.socket;
    if (socket === undefined) return Promise.resolve();
    this.socket = undefined;
    this.waiters.cancelAll();
    return new Promise((resolve) => {
      const timer = setTimeout(() => socket.destroy(), 1_000);
      socket.once("close", () => {
        clearTimeout(timer);
        this.listeners.emitClose();
        resolve();
      });
      socket.end();
    });
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    this.lostError = undefined;
    this.waiters = new ReplyWaiters();
    this.negotiator = newNegotiator();
    this.lines = "unknown";
    this.sentLines = undefined;
    this.listeners.reset();
    const decoder = new TelnetDecoder();
    /** What arrived before RFC 2217 was agreed: a refusal line, if the server sent one (refusal.ts). */
    const greeting: number[] = [];
    socket.on("data", (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.type === "data") {
          if (greeting.length < MAX_GREETING_BYTES && !this.negotiator.isLocalEnabled(TELNET_OPTION.COM_PORT)) greeting.push(...event.data);
          this.listeners.emitData(event.data);
        } else if (event.type === "negotiate") {
          for (const reply of this.negotiator.receive(event.command, event.option)) socket.write(reply);
        } else if (event.type === "subnegotiation" && event.option === TELNET_OPTION.COM_PORT) {
          const message = parseComPort(event.payload);
          // NOTIFY-LINESTATE / NOTIFY-MODEMSTATE are unsolicited; only replies complete waits.
          if (message?.fromServer) this.waiters.reply(message.subcommand, message.value);
        }
      }
      this.waiters.recheck();
    });
    socket.on("error", (err) => {
      this.lostError = mapSocketError(err, this.info.path, this.target);
    });
    socket.on("close", () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      const error =
        parseRefusal(this.info.path, greeting) ??
        this.lostError ??
        new EspsyncError("PORT_CLOSED", `${this.info.path}: the RFC 2217 server closed the connection`, {
          hint: "The server stopped, the board behind it went away (unplugged), or another client holds it; check the board host and run the command again.",
        });
      this.lostError = error;
      this.waiters.cancelAll();
      this.listeners.emitClose(error);
    });
  }

  private requireSocket(): Socket {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) throw this.closedError();
    return socket;
  }

  private throwIfLost(): void {
    if (this.socket === undefined) throw this.closedError();
  }

  private closedError(): EspsyncError {
    return this.lostError ?? new EspsyncError("PORT_CLOSED", `${this.info.path} is not open`, { hint: "Open the port first." });
  }
}

function newNegotiator(): TelnetNegotiator {
  return new TelnetNegotiator({
    local: [TELNET_OPTION.BINARY, TELNET_OPTION.SGA, TELNET_OPTION.COM_PORT],
    remote: [TELNET_OPTION.BINARY, TELNET_OPTION.SGA],
  });
}

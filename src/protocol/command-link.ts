/**
 * Our own request/reply channel over esptool-js's loader and transport. esptool-js's `command()`
 * flushes the input buffer before every request (which would throw away replies to pipelined
 * requests) and its `checkCommand()` reports failures as text; this channel sends without
 * flushing, checks the status where PROTOCOL.md §1.4 puts it (right after the expected payload,
 * 2 status bytes from the stub, 4 from the ROM, first byte decides) and fails with typed errors.
 */
import type { ESPLoader } from "esptool-js";
import type { LinkWatch } from "./link-watch.js";
import { OP, opName } from "./opcodes.js";
import { protocolError, statusError, translateError, type ErrorContext } from "./protocol-errors.js";
import { RoundTrips, SMALL_REQUEST_BYTES } from "./round-trips.js";
import { statusValue } from "./status-table.js";

/** Commands the loaders answer without touching the flash or changing the link: their exchange time is a round trip. */
const PROMPT_OPS: ReadonlySet<number> = new Set([OP.READ_REG, OP.WRITE_REG, OP.SPI_ATTACH, OP.SPI_SET_PARAMS, OP.GET_SECURITY_INFO]);

/** Mutable facts about the session that change how replies are read. */
export interface LinkState {
  /** The flasher stub runs (2 status bytes, stub-only commands available). */
  stub: boolean;
  /** Current baud rate on both sides. */
  baudRate: number;
  /** The port reported that the link closed. */
  portClosed: boolean;
  /** The chip is in Secure Download Mode. */
  secureDownloadMode: boolean;
}

/** A reply whose status said success. */
export interface Reply {
  /** The header's value field (READ_REG result). */
  readonly value: number;
  /** The payload before the status bytes. */
  readonly payload: Uint8Array;
}

/** Options of one request/reply exchange. */
export interface ExchangeOptions {
  /** What is being done, for messages: `SPI_FLASH_MD5 at 0x00010000 (4096 bytes)`. */
  readonly what: string;
  /** How long to wait for the reply. */
  readonly timeoutMs: number;
  /** Payload bytes expected before the status (default 0). */
  readonly payloadBytes?: number;
  /** XOR checksum for the header (data commands only). */
  readonly checksum?: number;
}

/** The request/reply channel; see the module comment. */
export class CommandLink {
  /** Fails waits at once when the port closes or the chip resets (set once connected). */
  watch: LinkWatch | undefined;
  /** Round trips of prompt single exchanges on this connection (round-trips.ts). */
  readonly roundTrips = new RoundTrips();
  /** The last exchange with esptool-js, settled or not (a read abandoned by the watch still runs). */
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(
    readonly loader: ESPLoader,
    readonly state: LinkState,
  ) {}

  /** Resolves once the last exchange with esptool-js has settled, so no stale read steals replies. */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  /** Error context for `what`, carrying the session state. */
  context(what: string, timeoutMs?: number): ErrorContext {
    return { what, timeoutMs, portClosed: this.state.portClosed, secureDownloadMode: this.state.secureDownloadMode, phase: "command" };
  }

  /** Runs `fn`, translating whatever it throws. */
  async guard<T>(what: string, timeoutMs: number | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      const work = fn();
      this.inFlight = work.catch(() => undefined);
      return await (this.watch ? this.watch.race(work) : work);
    } catch (err) {
      // A garbled reply may be the first bytes of a reset chip's boot log: name the reset if so.
      const lost = await this.watch?.explain(err);
      throw translateError(lost ?? err, this.context(what, timeoutMs));
    }
  }

  /** Sends one request without touching the input buffer (pipelining-safe). */
  async send(op: number, data: Uint8Array, what: string, checksum = 0): Promise<void> {
    const pkt = new Uint8Array(8 + data.length);
    const view = new DataView(pkt.buffer);
    pkt[1] = op;
    view.setUint16(2, data.length, true);
    view.setUint32(4, checksum >>> 0, true);
    pkt.set(data, 8);
    await this.guard(what, undefined, () => this.loader.transport.write(pkt));
  }

  /** Sends a raw SLIP frame (READ_FLASH acknowledgements). */
  async sendFrame(frame: Uint8Array, what: string): Promise<void> {
    await this.guard(what, undefined, () => this.loader.transport.write(frame));
  }

  /** Reads the next SLIP frame, whatever it is. */
  async readFrame(timeoutMs: number, what: string): Promise<Uint8Array> {
    return this.guard(what, timeoutMs, () => this.loader.transport.read(timeoutMs));
  }

  /** Reads the reply to `op` and checks its status. */
  async receive(op: number, options: ExchangeOptions): Promise<Reply> {
    const [value, data] = await this.guard(options.what, options.timeoutMs, () => this.loader.readPacket(op, options.timeoutMs));
    return this.checkStatus(op, value, data, options);
  }

  /** Discards stale input, sends one request and reads its checked reply. */
  async command(op: number, data: Uint8Array, options: ExchangeOptions): Promise<Reply> {
    this.loader.transport.flushInput();
    const started = performance.now();
    await this.send(op, data, options.what, options.checksum ?? 0);
    const reply = await this.receive(op, options);
    this.noteExchange(op, data.length, performance.now() - started);
    return reply;
  }

  /** Records a lone request/reply exchange of `op` that took `ms`, if it measures the round trip. */
  noteExchange(op: number, dataBytes: number, ms: number): void {
    if (PROMPT_OPS.has(op) && dataBytes <= SMALL_REQUEST_BYTES) this.roundTrips.add(ms);
  }

  /** Waits for the line to go quiet and discards what arrived (after an aborted pipeline). */
  async drain(): Promise<void> {
    try {
      await this.loader.transport.drainInput();
    } catch {
      // Draining is best effort: the next command flushes again anyway.
    }
  }

  private checkStatus(op: number, value: number, data: Uint8Array, options: ExchangeOptions): Reply {
    const payloadBytes = options.payloadBytes ?? 0;
    const stub = this.state.stub;
    if (data.length < payloadBytes + 2) {
      // A failure reply carries no payload: its status then sits at the start (§1.4).
      if (data.length >= 2 && data[0] !== 0) {
        throw statusError(op, statusValue([data[0] ?? 0, data[1] ?? 0], stub), stub, options.what);
      }
      throw protocolError(options.what, `reply to ${opName(op)} has ${data.length} data bytes, expected ${payloadBytes} + status`);
    }
    const s0 = data[payloadBytes] ?? 0;
    const s1 = data[payloadBytes + 1] ?? 0;
    if (s0 !== 0) throw statusError(op, statusValue([s0, s1], stub), stub, options.what);
    return { value: value >>> 0, payload: data.slice(0, payloadBytes) };
  }
}

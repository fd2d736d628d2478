/**
 * The virtual ESP32-family chip: reset lines, UART, ROM loader, flasher stub and NOR flash behind
 * one `SerialEndpoint`. Servers (TCP, RFC 2217, pty) and the in-process `SimPort` wrap it.
 * Output is delivered asynchronously (setImmediate), never from inside `receive`.
 */
import { EspsyncError } from "../../src/errors.js";
import type { ControlLines } from "../../src/transport/port.js";
import type { SerialEndpoint } from "../../src/transport/endpoint.js";
import { appLines, bootLines, encodeLines, ROM_BAUD, type ResetCause } from "./boot.js";
import { SIM_CHIP_TABLE, SIM_CHIPS, type SimChipSpec } from "./chip-table.js";
import { DATA_OPS, FaultInjector, flipByte, type RequestFaults } from "./faults.js";
import { FlashFile } from "./flash-file.js";
import { FlashModel } from "./flash-model.js";
import { encodeResponse, type FlashWork, type LoaderContext, parseRequest } from "./loader-context.js";
import { DELAYED_OPS, deriveEncryptionKey, deriveMac, parseMac, type SimOptions } from "./options.js";
import { BootStraps } from "./boot-straps.js";
import { opName, PROTO } from "./protocol-constants.js";
import { RegisterFile } from "./registers.js";
import { ResetLines } from "./reset-lines.js";
import { RomLoader } from "./rom-loader.js";
import { RtcWatchdog } from "./rtc-watchdog.js";
import { SlipDecoder, slipEncode } from "./slip.js";
import { StubLoader } from "./stub-loader.js";
import { StubReceiver } from "./stub-receiver.js";
import { resolveTimingProfile, VirtualClock } from "./timing.js";
import { UartOutput } from "./uart-output.js";
import { resolvePortKind, usbFacts, usbOtgBlockError, type SimPortKind } from "./usb-ports.js";

export { ROM_BAUD } from "./boot.js";
export { STRAP_SETTLE_MS } from "./reset-lines.js";

/**
 * Receive FIFO of the UART the ROM loader polls (128 bytes on every ESP32-family chip, per the
 * technical reference manuals): what arrives while the loader works on a command waits here.
 */
export const ROM_UART_FIFO_BYTES = 128;

/** Counters and state tests read. */
export interface SimStats {
  readonly mode: "app" | "rom" | "stub";
  readonly uartBaud: number;
  readonly resets: number;
  readonly framesFromHost: number;
  readonly framesToHost: number;
  /** Bytes from the host the chip never read: ignored by the stub's receiver, or past the ROM's FIFO. */
  readonly bytesLost: number;
}

/** A simulated chip; see the module comment. */
export class VirtualChip implements SerialEndpoint, LoaderContext {
  readonly spec: SimChipSpec;
  readonly flash: FlashModel;
  readonly regs: RegisterFile;
  readonly faults: FaultInjector;
  readonly mac: readonly number[];
  readonly options: Readonly<SimOptions>;
  /** How the host reaches the chip (usb-ports.ts). */
  readonly portKind: SimPortKind;
  /** The boot pin's latch and the force-download flag. */
  readonly straps: BootStraps;
  secureDownloadMode: boolean;
  flashEncryption: boolean;
  appOutput: string[];
  private currentMode: "app" | "rom" | "stub";
  private rom: RomLoader;
  private stub: StubLoader | undefined;
  private readonly decoder = new SlipDecoder();
  private readonly stubReceiver = new StubReceiver();
  /** Bytes waiting in the ROM's UART FIFO while the loader is busy, and when the last of them arrived. */
  private romFifo: number[] = [];
  private romFifoArrivalS = 0;
  private readonly clock: VirtualClock | undefined;
  private readonly flashFile: FlashFile | undefined;
  private readonly encryptionKey: Uint8Array;
  private readonly disconnectListeners = new Set<(reason: Error) => void>();
  private readonly output: UartOutput;
  private readonly reset: ResetLines;
  private hostBaud: number | undefined;
  private uartBaud = ROM_BAUD;
  private requestFaults: RequestFaults = {};
  private fgS = 0;
  private bgS = 0;
  private startS = 0;
  private counts = { resets: 0, framesFromHost: 0, framesToHost: 0, bytesLost: 0 };
  private readonly watchdog: RtcWatchdog;

  constructor(options: SimOptions) {
    const spec = (SIM_CHIP_TABLE as Record<string, SimChipSpec>)[options.chip];
    if (!spec) {
      throw new EspsyncError("CHIP_UNKNOWN", `unknown simulated chip "${options.chip}"`, { hint: `Use one of: ${SIM_CHIPS.join(", ")}.` });
    }
    this.options = options;
    this.spec = spec;
    this.flash = new FlashModel(options.flashSizeBytes);
    this.flashFile = options.flashFile ? new FlashFile(this.flash, options.flashFile) : undefined;
    this.mac = options.mac ? parseMac(options.mac) : deriveMac(options.chip, options.seed ?? 0);
    this.watchdog = new RtcWatchdog(() => this.reset.internalReset("rtc-wdt"));
    this.regs = new RegisterFile(spec, this.mac, this.flash, (cycles) => this.watchdog.arm(cycles));
    this.faults = new FaultInjector(options.faults ?? []);
    this.clock = options.timing ? new VirtualClock(resolveTimingProfile(options.timing)) : undefined;
    this.output = new UartOutput({
      clock: this.clock,
      countSent: (bytes) => (this.flash.counters.bytesToHost += bytes),
      drained: () => this.readRomFifo(),
    });
    this.encryptionKey = deriveEncryptionKey(this.mac);
    this.secureDownloadMode = options.secureDownloadMode ?? false;
    this.flashEncryption = options.flashEncryption ?? false;
    this.appOutput = options.appOutput ?? [];
    this.currentMode = options.boot === "app" ? "app" : "rom";
    this.rom = new RomLoader(this);
    this.portKind = resolvePortKind(options, spec);
    // Starting in download mode means the boot pin was held low at power-on.
    this.straps = new BootStraps(this.regs, usbFacts(options.chip), this.portKind, this.currentMode === "rom");
    this.reset = new ResetLines(this.portKind, this.straps, {
      halt: () => this.decoder.reset(),
      boot: (download, cause) => this.boot(download, cause),
      appRunning: () => this.currentMode === "app",
    });
  }

  /** `app`, `rom` or `stub`. Observing it settles a pending strap sampling. */
  get mode(): "app" | "rom" | "stub" {
    this.reset.settle();
    return this.currentMode;
  }

  /** Counters of the flash and wire, plus chip state. */
  get stats(): SimStats & FlashModel["counters"] {
    return { ...this.flash.counters, mode: this.currentMode, uartBaud: this.uartBaud, ...this.counts, bytesLost: this.counts.bytesLost + this.stubReceiver.ignoredBytes };
  }

  /** Modelled wall time in seconds (0 without a timing model). */
  get virtualTimeS(): number {
    return this.clock?.nowS ?? 0;
  }

  /** Restarts the virtual clocks. */
  resetVirtualTime(): void {
    this.clock?.reset();
  }

  /** Writes the flash file now (it is otherwise saved shortly after every change). */
  flushFlashFile(): void {
    this.flashFile?.flush();
  }

  // ---- SerialEndpoint -------------------------------------------------------------------------

  receive(data: Uint8Array): void {
    this.flash.counters.bytesFromHost += data.length;
    this.reset.settle();
    if (this.reset.inReset) return;
    if (this.baudMismatch) {
      this.decoder.reset(); // framing errors: the UART discards what it cannot decode
      return;
    }
    const arrivalS = this.clock ? this.clock.hostWrite(data.length, this.uartBaud) : 0;
    if (this.currentMode === "app") return; // the application ignores input
    if (this.currentMode === "stub") this.receiveStub(data, arrivalS);
    else this.receiveRom(data, arrivalS);
  }

  onTransmit(listener: (data: Uint8Array) => void): () => void {
    return this.output.listen(listener);
  }

  /** Registers a listener for injected disconnects; the wrapper should drop its link. */
  onDisconnect(listener: (reason: Error) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  setBaudRate(baudRate: number): void {
    this.hostBaud = baudRate;
  }

  setLines(lines: ControlLines): void {
    this.reset.set(lines);
  }

  // ---- LoaderContext --------------------------------------------------------------------------

  get powerLossPending(): boolean {
    return this.requestFaults.powerLoss === true;
  }

  respond(op: number, value: number, payload: Uint8Array, status: Uint8Array, copies = 1): void {
    const packet = encodeResponse(op, value, payload, status);
    for (let i = 0; i < copies; i++) {
      const f = this.faults.onResponse(op);
      if (f.drop) continue;
      this.sendFrame(f.corruptIndex === undefined ? packet : flipByte(packet, f.corruptIndex));
    }
  }

  sendFrame(payload: Uint8Array): void {
    this.counts.framesToHost++;
    this.emit(slipEncode(payload), this.startS + this.fgS);
  }

  work(w: FlashWork | number): void {
    if (this.clock) this.fgS += typeof w === "number" ? w : this.clock.flashWorkS(w);
  }

  background(w: FlashWork | number): void {
    if (this.clock) this.bgS += typeof w === "number" ? w : this.clock.flashWorkS(w);
  }

  setUartBaud(baud: number): void {
    this.uartBaud = baud;
  }

  enterStub(): void {
    this.currentMode = "stub";
    this.stubReceiver.reset();
    // Chips whose stub re-derives the UART rate from the ROM's record (it says OHAI at that rate).
    if (this.spec.stubUartRecord !== undefined) this.uartBaud = this.regs.read(this.spec.stubUartRecord) || ROM_BAUD;
    this.stub = new StubLoader(this);
    this.sendFrame(PROTO.OHAI);
  }

  runUserCode(): void {
    this.currentMode = "app";
    this.stub = undefined;
    this.emit(encodeLines(appLines(this.spec, this.flash, this.appOutput)), this.startS + this.fgS);
  }

  powerLoss(): void {
    this.reset.powerCycle();
  }

  md5(addr: number, len: number): Uint8Array {
    this.work({ md5Bytes: len });
    if (!this.flashEncryption) return this.flash.digest(addr, len);
    const key = this.encryptionKey;
    return this.flash.digest(addr, len, (data, at) => data.map((b, i) => b ^ (key[(at + i) % key.length] as number)));
  }

  securityInfo(bytes: number): Uint8Array {
    const out = new Uint8Array(20);
    const v = new DataView(out.buffer);
    v.setUint32(0, this.secureDownloadMode ? 1 << 2 : 0, true); // bit 2 SECURE_DOWNLOAD_ENABLE, §2.6
    v.setUint8(4, this.flashEncryption ? 1 : 0); // flash_crypt_cnt: odd = encryption on
    v.setUint32(12, this.spec.chipId, true);
    return out.subarray(0, bytes);
  }

  // ---- internals ------------------------------------------------------------------------------

  /** The loader is still busy with the last command, as far as any host can tell (uart-output.ts). */
  private get replyPending(): boolean {
    return this.output.pending;
  }

  /**
   * Host and chip disagree on the UART rate. USB-OTG carries the loader's bytes over USB, where a
   * baud rate is only a number the host passes along, so there it never garbles anything.
   */
  private get baudMismatch(): boolean {
    return this.portKind !== "usb-otg" && this.hostBaud !== undefined && this.hostBaud !== this.uartBaud;
  }

  /**
   * One host write is one interrupt batch for the stub (stub-receiver.ts): it takes at most one
   * frame from it, and none while its last reply is on its way — a request sent before the host
   * saw that reply is dropped, as the real stub drops a request that arrives right behind another.
   */
  private receiveStub(data: Uint8Array, arrivalS: number): void {
    const frame = this.stubReceiver.push(data, !this.replyPending);
    if (frame) this.handleFrame(frame, arrivalS);
  }

  /**
   * The ROM loader polls its UART between commands: bytes that arrive while it is busy wait in the
   * FIFO and are read, in order, once it has replied; bytes beyond the FIFO are lost.
   */
  private receiveRom(data: Uint8Array, arrivalS: number): void {
    if (this.replyPending) this.queueRom(data, arrivalS);
    else this.feedRom(data, arrivalS);
  }

  private queueRom(bytes: Uint8Array, arrivalS: number): void {
    const room = Math.max(0, ROM_UART_FIFO_BYTES - this.romFifo.length);
    for (const b of bytes.subarray(0, room)) this.romFifo.push(b);
    this.counts.bytesLost += Math.max(0, bytes.length - room);
    this.romFifoArrivalS = arrivalS;
  }

  /** Reads frames from `bytes` until a reply is pending; the rest waits in the FIFO. */
  private feedRom(bytes: Uint8Array, arrivalS: number): void {
    for (let offset = 0; offset < bytes.length; ) {
      const { frame, consumed } = this.decoder.next(bytes.subarray(offset));
      offset += consumed;
      if (!frame) return;
      this.handleFrame(frame, arrivalS);
      // A command rebooted the chip or started the stub, which is not listening yet.
      if (this.currentMode !== "rom" || this.reset.inReset) return;
      if (this.replyPending) return this.queueRom(bytes.subarray(offset), arrivalS);
    }
  }

  private handleFrame(frame: Uint8Array, arrivalS: number): void {
    this.counts.framesFromHost++;
    if (this.faults.silencedBy()) return;
    const isRequest = frame.length >= 8 && frame[0] === 0 && !(this.stub?.streaming && frame.length === 4);
    const op = isRequest ? (frame[1] as number) : -1;
    this.requestFaults = isRequest ? this.faults.onRequest(op) : {};
    const f = this.requestFaults.corruptIndex === undefined ? frame : flipByte(frame, this.requestFaults.corruptIndex);
    if (this.requestFaults.hang) {
      this.requestFaults = {};
      return;
    }
    if (this.requestFaults.disconnect) {
      const reason = new EspsyncError("PORT_CLOSED", `simulated ${this.spec.displayName} dropped the link at ${opName(op)}`, {
        hint: "This disconnect was injected by a fault rule.",
      });
      for (const l of [...this.disconnectListeners]) l(reason);
      this.requestFaults = {};
      return;
    }
    const req = parseRequest(f);
    if (isRequest && req) this.flash.noteCommand(opName(req.op), req.data.length);
    if (this.requestFaults.powerLoss && !DATA_OPS.includes(op)) {
      // Power fails as a command without flash data arrives: no reply, the chip boots its app.
      this.requestFaults = {};
      this.powerLoss();
      return;
    }
    this.startS = this.clock ? this.clock.startWork(arrivalS) : 0;
    this.fgS = 0;
    this.bgS = 0;
    const forced = this.requestFaults.errorStatus ?? usbOtgBlockError(this.portKind, this.currentMode, req);
    this.output.holdMs = isRequest && (this.options.delayOn ?? ["data"]).some((group) => DELAYED_OPS[group].includes(op)) ? (this.options.dataReplyDelayMs ?? 0) : 0;
    if (this.currentMode === "stub" && this.stub) this.stub.handleFrame(f, req, forced);
    else if (req) this.rom.handle(req, forced);
    this.clock?.busyUntil(this.startS + this.fgS + this.bgS);
    this.requestFaults = {};
    this.output.holdMs = 0;
  }

  private emit(data: Uint8Array, readyS: number): void {
    this.output.send(data, readyS, this.uartBaud, this.baudMismatch);
  }

  /** The ROM is back at its command loop once its output has left: it reads what waited in the FIFO. */
  private readRomFifo(): void {
    if (this.currentMode !== "rom" || this.romFifo.length === 0 || this.replyPending) return;
    const waiting = Uint8Array.from(this.romFifo);
    this.romFifo = [];
    this.feedRom(waiting, this.romFifoArrivalS);
  }

  private boot(download: boolean, cause: ResetCause): void {
    this.watchdog.disarm();
    this.counts.resets++;
    this.faults.onReset();
    this.uartBaud = ROM_BAUD;
    this.decoder.reset();
    this.stubReceiver.reset();
    this.romFifo = [];
    this.stub = undefined;
    this.rom = new RomLoader(this);
    this.currentMode = download ? "rom" : "app";
    this.emit(encodeLines(bootLines(this.spec, this.flash, this.appOutput, download, cause)), this.clock?.nowS ?? 0);
  }
}

/** Creates a virtual chip. */
export function createVirtualChip(options: SimOptions): VirtualChip {
  return new VirtualChip(options);
}

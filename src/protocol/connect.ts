/**
 * `connect`: from a closed `Port` to a chip in download mode with the stub running at the transfer
 * rate (PROTOCOL.md §3.1), on esptool-js's unmodified `ESPLoader` through the Web-Serial shim.
 * esptool-js does reset/sync/identify and the stub upload; reset lines, baud change, flash id,
 * revision and everything after connect are ours (see the other files for why).
 */
import { ESPLoader, Transport, type IEspLoaderTerminal, type ResetConstructors } from "esptool-js";
import { toWebSerialPort } from "../transport/web-serial-shim.js";
import type { Port } from "../transport/port.js";
import { changeBaudRate } from "./baud-change.js";
import { romRateSurvivesStub } from "./rom-uart.js";
import { stubUploadBytes, uploadStub } from "./stub-upload.js";
import { chipNameFromEsptool, parseSecurityState, readChipDescription, type RawSecurityInfo } from "./chip-description.js";
import { setUpChipPort } from "./chip-port.js";
import { CommandLink, type LinkState } from "./command-link.js";
import { DEFAULT_BAUD_RATE, resolveConnectOptions, type ConnectOptions, type ResolvedConnectOptions } from "./connect-options.js";
import type { BeforeMode, ChipName, Device, SecurityState } from "./device.js";
import { EspDevice, releaseTransport } from "./esp-device.js";
import { identifyChip } from "./identify-chip.js";
import { LinkWatch } from "./link-watch.js";
import { readFlashId } from "./flash-id.js";
import { DESCRIPTION_REGISTERS, readRegisters, withRegisterCache } from "./register-cache.js";
import { flashSizeFromJedecId } from "./jedec.js";
import { OP } from "./opcodes.js";
import { chipMismatchError, translateError } from "./protocol-errors.js";
import { classicResetSteps, runResetSteps, USB_JTAG_RESET_STEPS, HARD_RESET_STEPS, type ResetStep } from "./reset-sequence.js";
import type { Session } from "./session.js";
import { tracePort } from "./trace-port.js";
import { u32le } from "./words.js";
import { EspsyncError } from "../errors.js";

/** Bytes of unexpected input kept to explain a failed sync. */
const SAMPLE_BYTES = 256;

/** Reset strategies for esptool-js, all driving both lines at once through `Port.setLines` (§4.2). */
function resetConstructors(port: Port, custom: ResetStep[] | undefined): ResetConstructors {
  const strategy = (transport: Transport, steps: readonly ResetStep[], resetDelay = 0) => ({
    transport,
    resetDelay,
    usingUsbOtg: false,
    sequenceString: "",
    reset: () => runResetSteps(port, steps),
  });
  return {
    classicReset: (t: Transport, delay: number) => strategy(t, custom ?? classicResetSteps(delay), delay),
    usbJTAGSerialReset: (t: Transport) => strategy(t, custom ?? USB_JTAG_RESET_STEPS),
    hardReset: (t: Transport) => strategy(t, HARD_RESET_STEPS),
    customReset: (t: Transport) => strategy(t, custom ?? []),
  } as unknown as ResetConstructors;
}

/** The `before` mode actually used: without control lines there is nothing to reset with. */
function effectiveBefore(port: Port, opts: ResolvedConnectOptions): BeforeMode {
  if ((opts.before === "default_reset" || opts.before === "usb_reset") && !port.capabilities.controlLines) {
    opts.notice(`${port.info.path} has no DTR/RTS control lines: not resetting the chip (no_reset); put it in download mode by hand.`);
    return "no_reset";
  }
  return opts.before;
}

/**
 * Some ports only find out that they have no DTR/RTS when the reset tries them (a pseudo-terminal,
 * ser2net in front of one): the reset then reached nothing, which the user must know.
 */
function resetReachedChip(port: Port, before: BeforeMode): boolean {
  return !(before === "default_reset" || before === "usb_reset") || port.capabilities.controlLines;
}

function noLinesNote(port: Port): string {
  return `${port.info.path} has no DTR/RTS control lines: the reset did not reach the chip; it was already in download mode.`;
}

function noLinesError(port: Port, error: EspsyncError): EspsyncError {
  return new EspsyncError(error.code, `${error.message}; ${port.info.path} has no DTR/RTS control lines, so the reset into download mode did not reach the chip`, {
    hint: "Hold BOOT (IO0) while pressing RESET (EN) on the board to enter download mode by hand, then run espsync again with --before no-reset.",
    cause: error,
  });
}

/**
 * The rate to switch to once connected, or undefined to stay at the ROM rate. A port that sets its
 * own rate gets the one asked for (default 921600). One that cannot (raw TCP) switches only when a
 * rate was asked for explicitly, because then only the far end can follow the chip: QEMU's emulated
 * UART does (as the Python esptool assumes on `socket://`), a raw TCP-to-serial bridge does not.
 */
function transferBaudRate(port: Port, opts: ResolvedConnectOptions): number | undefined {
  if (port.capabilities.setBaudRate) return opts.baudRate ?? DEFAULT_BAUD_RATE;
  if (opts.baudRate === undefined) {
    opts.notice(`${port.info.path} sets no baud rate of its own: staying at ${opts.romBaudRate} baud (ask for a rate, e.g. --baud 921600, to switch the chip when the far end follows it).`);
  }
  return opts.baudRate;
}

/** Opens, resets and syncs (or, with no_reset_no_sync, only opens) and identifies the chip. */
async function openAndIdentify(loader: ESPLoader, link: CommandLink, before: BeforeMode, opts: ResolvedConnectOptions): Promise<void> {
  if (before !== "no_reset_no_sync") {
    await loader.connect(before, opts.connectAttempts, true);
    return;
  }
  await loader.transport.connect(opts.romBaudRate);
  void loader.transport.readLoop();
  loader.chip = await identifyChip(loader);
  // Whoever answers may be the stub left running by an earlier session: it sends 2 status bytes,
  // the ROM 4 (§1.4).
  const [, data] = await loader.command(OP.READ_REG, u32le(0x40001000), 0, true, opts.timeouts.defaultMs);
  if (data.length === 2) {
    loader.IS_STUB = true;
    link.state.stub = true;
  }
}

async function readSecurity(loader: ESPLoader, chip: ChipName): Promise<SecurityState | undefined> {
  if (chip === "esp32") return undefined; // its ROM lacks GET_SECURITY_INFO (§2.6)
  try {
    return parseSecurityState((await loader.getSecurityInfo()) as RawSecurityInfo);
  } catch {
    return undefined;
  }
}

/** What esptool sends the ROM before flash commands: id, size, block, sector, page, status mask (§2.7). */
async function setRomFlashParams(link: CommandLink, opts: ResolvedConnectOptions, flashSizeBytes: number): Promise<void> {
  await link.command(OP.SPI_SET_PARAMS, u32le(0, flashSizeBytes, 0x10000, 0x1000, 0x100, 0xffff), { what: "SPI_SET_PARAMS", timeoutMs: opts.timeouts.defaultMs });
}

/**
 * SPI_ATTACH: the ROM's payload has a 4-byte "is legacy" tail (§2.7); the stub takes the first word
 * alone and answers 8 bytes with C0 (as esptool sends it: the tail only when no stub runs).
 */
async function spiAttach(link: CommandLink, opts: ResolvedConnectOptions): Promise<void> {
  await link.command(OP.SPI_ATTACH, link.state.stub ? u32le(0) : u32le(0, 0), { what: "SPI_ATTACH", timeoutMs: opts.timeouts.defaultMs });
}

/** The ROM needs SPI_ATTACH and the flash parameters again after a reset (§2.7). */
async function attachRomFlash(link: CommandLink, opts: ResolvedConnectOptions, flashSizeBytes: number): Promise<void> {
  await spiAttach(link, opts);
  if (flashSizeBytes) await setRomFlashParams(link, opts, flashSizeBytes);
}

/**
 * Connects to the chip behind `port` (closed; `connect` opens it) and returns the `Device`.
 * Rejects with an `EspsyncError` (`SYNC_FAILED`, `NOT_AN_ESP`, `TIMEOUT`, `CHIP_MISMATCH`, …) and
 * leaves the port closed on failure.
 */
export async function connect(rawPort: Port, options: ConnectOptions = {}): Promise<Device> {
  const opts = resolveConnectOptions(options);
  const state: LinkState = { stub: false, baudRate: opts.romBaudRate, portClosed: false, secureDownloadMode: false };
  const port = opts.trace ? tracePort(rawPort, opts.trace, () => state.stub) : rawPort;
  const before = effectiveBefore(port, opts);
  const trace = opts.trace;
  const terminal: IEspLoaderTerminal = {
    clean: () => {},
    write: () => {},
    writeLine: (line: string) => trace?.(`esptool-js: ${line}`),
  };
  const transport = new Transport(toWebSerialPort(port) as never, false);
  // esptool-js's Transport prints some trace lines with console.log even when tracing is off;
  // route them to our trace hook instead of the user's terminal.
  transport.trace = (message: string) => trace?.(`esptool-js: ${message}`);
  const loader = new ESPLoader({
    transport,
    baudrate: opts.baudRate ?? opts.romBaudRate, // esptool-js only uses it in main(), which espsync does not call
    romBaudrate: opts.romBaudRate,
    terminal,
    resetConstructors: resetConstructors(port, opts.resetSteps),
  });
  const link = new CommandLink(loader, state);
  let sample = new Uint8Array(0);
  const stopSampling = port.onData((chunk) => {
    if (sample.length < SAMPLE_BYTES) sample = Uint8Array.from([...sample, ...chunk.subarray(0, SAMPLE_BYTES - sample.length)]);
  });
  // Also records a closed port while not armed (connect reports PORT_CLOSED through it).
  const watch = new LinkWatch(port, state);
  let step = "connect";
  try {
    opts.log(`Connecting to ${port.info.path}...`);
    try {
      await openAndIdentify(loader, link, before, opts);
    } catch (err) {
      const error = translateError(err, { what: `connect to ${port.info.path}`, phase: "connect", received: sample, portClosed: state.portClosed });
      if (!resetReachedChip(port, before)) throw noLinesError(port, error);
      throw error;
    }
    if (!resetReachedChip(port, before)) opts.notice(noLinesNote(port));
    stopSampling();
    step = "chip identification";
    const chip = chipNameFromEsptool(loader.chip.CHIP_NAME);
    if (!chip) {
      throw new EspsyncError("CHIP_UNKNOWN", `the connected chip is an ${loader.chip.CHIP_NAME}, which espsync does not support`, {
        hint: "Use esptool for this chip.",
      });
    }
    if (opts.expectedChip && opts.expectedChip !== chip) throw chipMismatchError(opts.expectedChip, chip);
    const security = await readSecurity(loader, chip);
    state.secureDownloadMode = loader.secureDownloadMode || (security?.secureDownloadMode ?? false);
    step = "reading the chip description";
    // The eFuse words the description reads, fetched at once (register-cache.ts); SDM refuses READ_REG.
    const prefetch = state.secureDownloadMode ? undefined : DESCRIPTION_REGISTERS[chip];
    const registers = prefetch ? await readRegisters(link, loader, prefetch, opts.timeouts.defaultMs) : new Map<number, number>();
    const described = await withRegisterCache(loader, registers, () => readChipDescription(loader, { chip, stub: false, flashId: 0, flashSizeBytes: 0, security }));
    opts.log(`Chip is ${described.description}`);
    if (described.features.length) opts.log(`Features: ${described.features.join(", ")}`);
    if (!state.secureDownloadMode) opts.log(`MAC: ${described.mac}`);
    if (security?.flashEncryption) opts.log("Flash encryption is enabled: digests are of the encrypted contents.");

    if (state.secureDownloadMode) opts.log("Secure Download Mode: no stub, no register reads, no digests; only plain writes are possible.");
    else if (!opts.stub) opts.log("Talking to the ROM loader only (no stub).");
    const chipPort = await setUpChipPort({ link, loader, chip, revisionFull: described.revisionFull, timeoutMs: opts.timeouts.defaultMs, log: opts.log }, port.info);

    // The flasher stub is uploaded when an operation first needs it (a write, an erase, a read):
    // the ROM answers digests itself, several at a time (flash-md5.ts), so a board that already
    // holds the images is checked without any upload.
    const wantStub = opts.stub && !state.secureDownloadMode;
    const transferBaud = state.secureDownloadMode ? undefined : transferBaudRate(port, opts);
    // Switch the rate in the ROM now, unless its stub would fall back to the ROM's rate (rom-uart.ts).
    const romSwitch = transferBaud !== undefined && transferBaud !== state.baudRate && (!wantStub || romRateSurvivesStub(chip));
    let flashSizeBytes = 0;
    /** After a recovery's reset the session stays at the ROM rate (a rate problem may be why). */
    let stayAtRomRate = false;
    const restartLoader = async (): Promise<void> => {
      await loader.transport.disconnect().catch(() => undefined);
      state.portClosed = false; // closed by us: a failure below is the chip's, not a lost port
      state.stub = false;
      loader.IS_STUB = false;
      state.baudRate = opts.romBaudRate;
      await loader.connect(before === "no_reset_no_sync" ? "no_reset" : before, opts.connectAttempts, false);
    };
    const stubContext = {
      loader, link, chip, romBaudRate: opts.romBaudRate, timeouts: opts.timeouts, log: opts.log, registers,
      restart: before === "no_reset_no_sync" ? undefined : restartLoader,
    };
    const switchRate = (baudRate: number): Promise<number> =>
      changeBaudRate({
        loader, link, timeouts: opts.timeouts, romBaudRate: opts.romBaudRate, chip, log: opts.log, port,
        // Lost at the new rate: back to the ROM at its rate, with the stub again if it was running.
        reconnect: async () => {
          const hadStub = state.stub;
          await restartLoader();
          if (hadStub) await uploadStub(stubContext);
          else await attachRomFlash(link, opts, flashSizeBytes);
        },
      }, baudRate);
    const ensureStub = async (): Promise<void> => {
      if (!wantStub || state.stub) return;
      watch.pause(); // the stub's start-up is expected traffic
      try {
        await uploadStub(stubContext);
        if (!stayAtRomRate && transferBaud !== undefined && transferBaud !== state.baudRate) await switchRate(transferBaud);
      } finally {
        watch.arm();
      }
    };
    // Back to a working loader after the chip reset or went silent: reset into download mode, sync
    // at the ROM rate; the stub follows on demand, at the ROM rate (Device.recover).
    const reconnect = async (): Promise<void> => {
      watch.pause();
      await restartLoader();
      stayAtRomRate = true;
      watch.arm(); // forgets the reset that made this necessary; the chip is back in the ROM
      await attachRomFlash(link, opts, flashSizeBytes);
    };

    if (romSwitch) {
      step = "changing the baud rate";
      await withRegisterCache(loader, registers, () => switchRate(transferBaud));
    }
    step = "reading the flash id";
    // The ROM needs SPI_ATTACH before any flash command (a stub left running by an earlier session too).
    await spiAttach(link, opts);
    const flashId = state.secureDownloadMode ? 0 : await readFlashId(link, loader, opts.timeouts.defaultMs);
    flashSizeBytes = flashSizeFromJedecId(flashId);
    if (!state.secureDownloadMode) {
      opts.log(`Flash ID 0x${flashId.toString(16).padStart(6, "0")}, size ${flashSizeBytes ? `${flashSizeBytes / 0x100000} MB` : "unknown"}`);
      if (flashId === 0 || flashId === 0xffffff) opts.log("WARNING: no answer from the flash chip; reads and writes will fail.");
    }
    if (flashSizeBytes) await setRomFlashParams(link, opts, flashSizeBytes);
    // The close listener stays registered: later operations report PORT_CLOSED through it.
    // Writes and reads run through the stub at the transfer rate, whenever it is uploaded.
    const writeBaud = wantStub && transferBaud !== undefined ? transferBaud : state.baudRate;
    const roundTripS = link.roundTrips.medianS();
    // Espressif's USB-Serial/JTAG peripheral (PROTOCOL.md §3.6) runs at USB speed whatever the baud.
    const linkDescription = { kind: chipPort === "usb-serial-jtag" ? "usb-serial-jtag" : "uart", baudRate: writeBaud, ...(roundTripS !== undefined && { roundTripS }) } as const;
    // The ROM can take the writes itself while the stub is not running (ChipDescription.romWrites).
    const stubBytes = wantStub && !state.stub ? await stubUploadBytes(loader) : undefined;
    const romWrites = stubBytes !== undefined ? { baudRate: state.baudRate, stubBytes } : undefined;
    const description = { ...described, flashId, flashSizeBytes, stub: wantStub, link: linkDescription, ...(romWrites && { romWrites }) };
    const session: Session = {
      loader, link, state, port, chip, timeouts: opts.timeouts, log: opts.log, notice: opts.notice, chipPort, flashSizeBytes, romBaudRate: opts.romBaudRate, watch, reconnect, ensureStub,
    };
    link.watch = watch;
    watch.arm();
    return new EspDevice(description, session);
  } catch (err) {
    stopSampling();
    watch.dispose();
    await releaseTransport({ loader, port });
    throw translateError(err, link.context(step));
  }
}

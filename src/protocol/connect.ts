/**
 * `connect`: from a closed `Port` to a chip in download mode with the stub running at the transfer
 * rate (PROTOCOL.md §3.1), on esptool-js's unmodified `ESPLoader` through the Web-Serial shim.
 * esptool-js does reset/sync/identify and the stub upload; reset lines, baud change, flash id,
 * revision and everything after connect are ours (see the other files for why).
 */
import type { ESPLoader } from "esptool-js";
import type { Port } from "../transport/port.js";
import { stubUploadBytes } from "./stub-upload.js";
import { chipNameFromEsptool, parseSecurityState, readChipDescription, type RawSecurityInfo } from "./chip-description.js";
import { setUpChipPort, type ChipPort } from "./chip-port.js";
import { CommandLink, type LinkState } from "./command-link.js";
import { resolveConnectOptions, type ConnectOptions, type ResolvedConnectOptions } from "./connect-options.js";
import { createLoader } from "./create-loader.js";
import type { BeforeMode, ChipDescription, ChipName, Device, SecurityState } from "./device.js";
import { EspDevice, releaseTransport } from "./esp-device.js";
import { setFlashParams, spiAttach } from "./flash-attach.js";
import { identifyChip } from "./identify-chip.js";
import { LinkWatch } from "./link-watch.js";
import { LoaderControl } from "./loader-control.js";
import { readFlashId } from "./flash-id.js";
import { DESCRIPTION_REGISTERS, readRegisters, withRegisterCache } from "./register-cache.js";
import { flashSizeFromJedecId } from "./jedec.js";
import { OP } from "./opcodes.js";
import { chipMismatchError, translateError } from "./protocol-errors.js";
import type { Session } from "./session.js";
import { tracePort } from "./trace-port.js";
import { transferBaudRate } from "./transfer-rate.js";
import { u32le } from "./words.js";
import { EspsyncError } from "../errors.js";

/** Bytes of unexpected input kept to explain a failed sync. */
const SAMPLE_BYTES = 256;

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

/** The first bytes the port receives: what answered instead of a loader explains a failed sync. */
function sampleInput(port: Port): { readonly bytes: () => Uint8Array; readonly stop: () => void } {
  let sample = new Uint8Array(0);
  const stop = port.onData((chunk) => {
    if (sample.length < SAMPLE_BYTES) sample = Uint8Array.from([...sample, ...chunk.subarray(0, SAMPLE_BYTES - sample.length)]);
  });
  return { bytes: () => sample, stop };
}

/**
 * Has esptool-js report each reset-and-sync attempt and stop before the next one once `signal` is
 * aborted: its connect loop tries every attempt and has no way to be told to stop.
 */
function watchAttempts(loader: ESPLoader, port: Port, opts: ResolvedConnectOptions): void {
  const attempt = loader._connectAttempt.bind(loader);
  let n = 0;
  loader._connectAttempt = async (mode, resetStrategy) => {
    if (opts.signal?.aborted) {
      const when = n === 0 ? "before the first attempt" : `after attempt ${n} of ${opts.connectAttempts}`;
      throw new EspsyncError("INTERRUPTED", `interrupted while connecting to ${port.info.path} (${when}): nothing was sent to the flash`, {
        hint: "Run the same command again.",
      });
    }
    n += 1;
    opts.onAttempt?.(n, opts.connectAttempts);
    return attempt(mode, resetStrategy);
  };
}

/** Opens, resets and syncs (or, with no_reset_no_sync, only opens) and identifies the chip. */
async function openAndIdentify(port: Port, loader: ESPLoader, link: CommandLink, before: BeforeMode, opts: ResolvedConnectOptions): Promise<void> {
  if (before !== "no_reset_no_sync") {
    watchAttempts(loader, port, opts);
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

/** {@link openAndIdentify}, failing with what the port received and whether the reset reached the chip. */
async function enterLoader(port: Port, loader: ESPLoader, link: CommandLink, before: BeforeMode, opts: ResolvedConnectOptions, received: () => Uint8Array): Promise<void> {
  opts.log(`Connecting to ${port.info.path}...`);
  try {
    await openAndIdentify(port, loader, link, before, opts);
  } catch (err) {
    const error = translateError(err, { what: `connect to ${port.info.path}`, phase: "connect", received: received(), portClosed: link.state.portClosed });
    if (error.code === "INTERRUPTED") throw error;
    if (!resetReachedChip(port, before)) throw noLinesError(port, error);
    throw error;
  }
  if (!resetReachedChip(port, before)) opts.notice(noLinesNote(port));
}

/** The chip esptool-js identified, refused when espsync does not support it or another was expected. */
function supportedChip(loader: ESPLoader, expected: ChipName | undefined): ChipName {
  const chip = chipNameFromEsptool(loader.chip.CHIP_NAME);
  if (!chip) {
    throw new EspsyncError("CHIP_UNKNOWN", `the connected chip is an ${loader.chip.CHIP_NAME}, which espsync does not support`, {
      hint: "Use esptool for this chip.",
    });
  }
  if (expected && expected !== chip) throw chipMismatchError(expected, chip);
  return chip;
}

async function readSecurity(loader: ESPLoader, chip: ChipName): Promise<SecurityState | undefined> {
  if (chip === "esp32") return undefined; // its ROM lacks GET_SECURITY_INFO (§2.6)
  try {
    return parseSecurityState((await loader.getSecurityInfo()) as RawSecurityInfo);
  } catch {
    return undefined;
  }
}

/** Reads and logs the chip's description; the eFuse words it needs come at once (register-cache.ts). */
async function describeChip(loader: ESPLoader, link: CommandLink, chip: ChipName, security: SecurityState | undefined, opts: ResolvedConnectOptions) {
  const sdm = link.state.secureDownloadMode;
  const prefetch = sdm ? undefined : DESCRIPTION_REGISTERS[chip]; // SDM refuses READ_REG
  const registers = prefetch ? await readRegisters(link, loader, prefetch, opts.timeouts.defaultMs) : new Map<number, number>();
  const described = await withRegisterCache(loader, registers, () => readChipDescription(loader, { chip, stub: false, flashId: 0, flashSizeBytes: 0, security }));
  opts.log(`Chip is ${described.description}`);
  if (described.features.length) opts.log(`Features: ${described.features.join(", ")}`);
  if (!sdm) opts.log(`MAC: ${described.mac}`);
  if (security?.flashEncryption) opts.log("Flash encryption is enabled: digests are of the encrypted contents.");
  if (sdm) opts.log("Secure Download Mode: no stub, no register reads, no digests; only plain writes are possible.");
  else if (!opts.stub) opts.log("Talking to the ROM loader only (no stub).");
  return { described, registers };
}

/** SPI_ATTACH, the flash's JEDEC id and, when its size is known, the flash parameters (§2.7). */
async function attachAndIdentifyFlash(loader: ESPLoader, link: CommandLink, opts: ResolvedConnectOptions): Promise<{ flashId: number; flashSizeBytes: number }> {
  const sdm = link.state.secureDownloadMode;
  const timeoutMs = opts.timeouts.defaultMs;
  // The ROM needs SPI_ATTACH before any flash command (a stub left running by an earlier session too).
  await spiAttach(link, timeoutMs);
  const flashId = sdm ? 0 : await readFlashId(link, loader, timeoutMs);
  const flashSizeBytes = flashSizeFromJedecId(flashId);
  if (!sdm) {
    opts.log(`Flash ID 0x${flashId.toString(16).padStart(6, "0")}, size ${flashSizeBytes ? `${flashSizeBytes / 0x100000} MB` : "unknown"}`);
    if (flashId === 0 || flashId === 0xffffff) opts.log("WARNING: no answer from the flash chip; reads and writes will fail.");
  }
  if (flashSizeBytes) await setFlashParams(link, timeoutMs, flashSizeBytes);
  return { flashId, flashSizeBytes };
}

/** What the `Device` reports: the chip, its flash, and how writes will reach it. */
async function deviceDescription(
  described: ChipDescription,
  flash: { flashId: number; flashSizeBytes: number },
  chipPort: ChipPort,
  loader: ESPLoader,
  link: CommandLink,
  control: LoaderControl,
): Promise<ChipDescription> {
  const { wantStub, transferBaud } = control;
  // Writes and reads run through the stub at the transfer rate, whenever it is uploaded.
  const baudRate = wantStub && transferBaud !== undefined ? transferBaud : link.state.baudRate;
  const roundTripS = link.roundTrips.medianS();
  // Espressif's USB-Serial/JTAG peripheral (PROTOCOL.md §3.6) runs at USB speed whatever the baud.
  const linkDescription = { kind: chipPort === "usb-serial-jtag" ? "usb-serial-jtag" : "uart", baudRate, ...(roundTripS !== undefined && { roundTripS }) } as const;
  // The ROM can take the writes itself while the stub is not running (ChipDescription.romWrites).
  const stubBytes = wantStub && !link.state.stub ? await stubUploadBytes(loader) : undefined;
  const romWrites = stubBytes !== undefined ? { baudRate: link.state.baudRate, stubBytes } : undefined;
  return { ...described, ...flash, stub: wantStub, link: linkDescription, ...(romWrites && { romWrites }) };
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
  const loader = createLoader(port, opts);
  const link = new CommandLink(loader, state);
  const sample = sampleInput(port);
  // Also records a closed port while not armed (connect reports PORT_CLOSED through it).
  const watch = new LinkWatch(port, state);
  let step = "connect";
  try {
    await enterLoader(port, loader, link, before, opts, sample.bytes);
    sample.stop();
    step = "chip identification";
    const chip = supportedChip(loader, opts.expectedChip);
    const security = await readSecurity(loader, chip);
    state.secureDownloadMode = loader.secureDownloadMode || (security?.secureDownloadMode ?? false);
    step = "reading the chip description";
    const { described, registers } = await describeChip(loader, link, chip, security, opts);
    const chipPort = await setUpChipPort({ link, loader, chip, revisionFull: described.revisionFull, timeoutMs: opts.timeouts.defaultMs, log: opts.log }, port.info);
    // The flasher stub is uploaded when an operation first needs it (a write, an erase, a read):
    // the ROM answers digests itself, several at a time (flash-md5.ts), so a board that already
    // holds the images is checked without any upload.
    const control = new LoaderControl({
      loader, link, watch, port, chip, opts, before, registers,
      wantStub: opts.stub && !state.secureDownloadMode,
      transferBaud: state.secureDownloadMode ? undefined : transferBaudRate(port, opts),
    });
    step = "changing the baud rate";
    await control.switchInRom();
    step = "reading the flash id";
    const flash = await attachAndIdentifyFlash(loader, link, opts);
    control.flashSizeBytes = flash.flashSizeBytes;
    const description = await deviceDescription(described, flash, chipPort, loader, link, control);
    const session: Session = {
      loader, link, state, port, chip, timeouts: opts.timeouts, log: opts.log, notice: opts.notice, chipPort, flashSizeBytes: flash.flashSizeBytes,
      romBaudRate: opts.romBaudRate, watch, reconnect: () => control.reconnect(), ensureStub: () => control.ensureStub(),
    };
    // The close listener stays registered: later operations report PORT_CLOSED through it.
    link.watch = watch;
    watch.arm();
    return new EspDevice(description, session);
  } catch (err) {
    sample.stop();
    watch.dispose();
    await releaseTransport({ loader, port });
    throw translateError(err, link.context(step));
  }
}

/**
 * The one place where failures of the device layer become `EspsyncError`s. esptool-js reports
 * everything as message text (`ESPError`); this file maps that text to stable codes, and builds
 * the errors the device layer raises itself (failure statuses, timeouts, malformed replies), so
 * that every other file in `src/protocol` throws through here.
 */
import { EspsyncError, RomError, WriteInterruptedError, hex32 } from "../errors.js";
import { plural } from "../util/plural.js";
import { opName } from "./opcodes.js";
import { CHECKSUM_FAILURE, describeStatus } from "./status-table.js";
import type { LinkLoss } from "./link-watch.js";

/** What was going on when something failed; every field sharpens the message. */
export interface ErrorContext {
  /** The operation, e.g. `SPI_FLASH_MD5 at 0x00010000 (4096 bytes)` or `connect`. */
  readonly what: string;
  /** During connect, unexpected bytes mean "not an ESP" and silence means "no sync". */
  readonly phase?: "connect" | "command";
  /** The timeout that applied, for TIMEOUT messages. */
  readonly timeoutMs?: number;
  /** The port reported that the link closed. */
  readonly portClosed?: boolean;
  /** The chip is in Secure Download Mode (refusals are expected there). */
  readonly secureDownloadMode?: boolean;
  /** Bytes the peer sent during connect (a sample), to tell "silent" from "speaks something else". */
  readonly received?: Uint8Array;
}

/** esptool-js's `checkCommand` descriptions → opcode (esploader.js). */
const ESPTOOL_OP_DESCRIPTIONS: readonly [string, number][] = [
  ["enter RAM download mode", 0x05],
  ["write to target RAM", 0x07],
  ["leave RAM download mode", 0x06],
  ["write target memory", 0x09],
  ["get security info", 0x14],
  ["configure SPI flash pins", 0x0d],
  ["enter Flash download mode", 0x02],
  ["enter compressed flash mode", 0x10],
  ["write to target Flash", 0x03],
  ["write compressed data to flash", 0x11],
  ["leave Flash mode", 0x04],
  ["leave compressed flash mode", 0x12],
  ["calculate md5sum", 0x13],
  ["read flash", 0xd2],
  ["erase flash", 0xd0],
];

const HINT = {
  sync: "Check the port and cable; hold BOOT (GPIO0/GPIO9) while resetting the board, or try --before usb_reset for native USB chips.",
  notEsp: "The device on this port answers but does not speak the ESP serial loader protocol: check the port name and the baud rate.",
  timeout: "Check the cable and the power supply; if it happens at high speed, try a lower --baud.",
  protocol: "The link is noisy or the baud rate is unreliable: try a lower --baud and a shorter cable.",
  portClosed: "The port disappeared (board unplugged or reset into a different USB mode); reconnect and try again.",
  chipReset: "Check the board's power supply and cable; then run the same command again: it writes only what is still different.",
  sdm: "The chip is in Secure Download Mode: only plain writes are possible, no stub, no register reads and no digests.",
  unsupported: "This chip's loader does not offer the command; run with the flasher stub (drop --no-stub) if possible.",
} as const;

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === "string" ? err : String(err);
}

function printable(bytes: Uint8Array, maxChars = 64): string {
  return Array.from(bytes.subarray(0, maxChars), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
}

/** Error for a failed reply status (ROM error byte or stub code); names the command and the address. */
export function statusError(op: number, status: number, stub: boolean, what: string): RomError {
  const meaning = describeStatus(status, stub);
  const checksum = status === (stub ? CHECKSUM_FAILURE.stub : CHECKSUM_FAILURE.rom);
  let hint = "Run the command again; if it keeps failing, power-cycle the board.";
  if (!stub && status === 0x05) hint = "The ROM refused the request's format or does not support it; try again with the flasher stub.";
  if (checksum) hint = HINT.protocol;
  if (stub && status >> 8 === 0xc4) hint = "The flash chip reported a failure: check that it is not write-protected and the address is inside the flash.";
  return new RomError(op, status, `${opName(op)} failed: ${what}: ${meaning}`, { hint });
}

/** A command got no (complete) answer in time. */
export function timeoutError(what: string, timeoutMs: number, cause?: unknown): EspsyncError {
  return new EspsyncError("TIMEOUT", `no answer to ${what} within ${Math.ceil(timeoutMs)} ms`, { hint: HINT.timeout, cause });
}

/** The chip answered something that does not fit the protocol. */
export function protocolError(what: string, detail: string, cause?: unknown): EspsyncError {
  return new EspsyncError("PROTOCOL_ERROR", `${what}: ${detail}`, { hint: HINT.protocol, cause });
}

/** The operation is not possible on this chip or in this mode. */
export function unsupportedError(what: string, hint: string): EspsyncError {
  return new EspsyncError("UNSUPPORTED", `${what} is not supported`, { hint });
}

/** The operation needs something Secure Download Mode forbids. */
export function secureDownloadModeError(what: string, why: string, cause?: unknown): EspsyncError {
  return new EspsyncError("SECURE_DOWNLOAD_MODE", `${what} is not possible in Secure Download Mode: ${why}`, { hint: HINT.sdm, cause });
}

/** A user option is wrong (bad reset sequence, bad argument). */
export function usageError(code: "RESET_SEQUENCE_INVALID" | "USAGE" | "ADDRESS_UNALIGNED" | "BAUD_INVALID", message: string, hint: string): EspsyncError {
  return new EspsyncError(code, message, { hint });
}

/** The connected chip is not the one the user expected. */
export function chipMismatchError(expected: string, actual: string): EspsyncError {
  return new EspsyncError("CHIP_MISMATCH", `expected an ${expected} but the connected chip is an ${actual}`, {
    hint: "Select the right port, or pass the matching --chip.",
  });
}

/** A write stopped at a block boundary because the caller asked it to. */
export function interruptedError(addr: number, writtenBytes: number, totalBytes: number): WriteInterruptedError {
  return new WriteInterruptedError(
    `write at ${hex32(addr)} interrupted after ${writtenBytes} of ${totalBytes} bytes`,
    writtenBytes,
    { hint: "Run the same command again: only what still differs will be written." },
  );
}

/**
 * Translates anything thrown while talking to the chip (esptool-js `ESPError`s, our own errors,
 * port failures) into an `EspsyncError`. Already translated errors pass through unchanged.
 */
export function translateError(err: unknown, ctx: ErrorContext): EspsyncError {
  if (isLinkLoss(err)) return linkLostError(err, ctx.what);
  if (err instanceof EspsyncError) {
    if (ctx.portClosed && err.code === "TIMEOUT") return portClosedError(ctx, err);
    return err;
  }
  if (ctx.portClosed) return portClosedError(ctx, err);
  const msg = messageOf(err);
  const name = err instanceof Error ? err.name : "";

  if (name === "UnsupportedCommandError" || /unsupported command/i.test(msg)) {
    if (ctx.secureDownloadMode) return secureDownloadModeError(ctx.what, "the ROM refuses this command", err);
    return new EspsyncError("UNSUPPORTED", `${ctx.what}: the chip's loader does not support the command`, { hint: HINT.unsupported, cause: err });
  }
  if (/Failed to connect/i.test(msg)) return connectError(ctx, err);
  if (/Unexpected chip ID|Unexpected CHIP magic/i.test(msg)) {
    return new EspsyncError("CHIP_UNKNOWN", `${ctx.what}: ${msg.split(".")[0]}`, {
      hint: "This ESP chip is not supported by espsync; check for a newer version.",
      cause: err,
    });
  }
  if (name === "TimeoutError" || /Serial data stream stopped|No serial data received|timed? ?out/i.test(msg)) {
    if (ctx.phase === "connect") return connectError(ctx, err);
    return timeoutError(ctx.what, ctx.timeoutMs ?? 0, err);
  }
  if (/Invalid head of packet|Invalid SLIP escape|invalid response/i.test(msg)) {
    if (ctx.phase === "connect") return connectError(ctx, err);
    return protocolError(ctx.what, `garbled reply (${msg.split(":")[0]})`, err);
  }
  const status = /Failed to (.*?) failed with status (\d+),(\d+)/.exec(msg);
  if (status) {
    const description = status[1] ?? "";
    const op = ESPTOOL_OP_DESCRIPTIONS.find(([d]) => description.startsWith(d))?.[1] ?? 0;
    const bytes = [Number(status[2]), Number(status[3])];
    const stub = (bytes[0] ?? 0) >= 0xc0 || ((bytes[0] ?? 0) >= 0x32 && (bytes[0] ?? 0) <= 0x63);
    const value = stub ? (((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0)) : (bytes[1] ?? 0);
    if (ctx.secureDownloadMode && !stub && value === 0x05) return secureDownloadModeError(ctx.what, `the ROM refused ${opName(op)}`, err);
    const e = statusError(op, value, stub, ctx.what);
    return new RomError(e.op, e.status, e.message, { hint: e.hint, cause: err });
  }
  if (/Failed to start stub/i.test(msg)) return protocolError(ctx.what, "the flasher stub did not start (no OHAI)", err);
  if (/Only got \d+ bytes of data/i.test(msg)) return protocolError(ctx.what, "reply shorter than expected", err);
  return protocolError(ctx.what, msg, err);
}

/**
 * The link ended while `what` was waiting for the chip: the port closed, or the chip reset and
 * printed its boot banner instead of answering (it then runs its application, not the loader).
 */
export function linkLostError(loss: LinkLoss, what: string): EspsyncError {
  if (loss.kind === "closed") return portClosedError({ what }, undefined);
  if (loss.kind === "garbage") {
    return new EspsyncError(
      "CHIP_RESET",
      `the chip stopped answering during ${what}: ${plural(loss.bytes, "byte")} that ${loss.bytes === 1 ? "is" : "are"} not loader replies arrived instead (a reset chip's boot log at another baud rate looks like this)`,
      { hint: HINT.chipReset },
    );
  }
  return new EspsyncError("CHIP_RESET", `the chip reset during ${what}: it printed its boot banner ("${loss.banner}") instead of answering`, {
    hint: HINT.chipReset,
  });
}

/** Whether `err` is a {@link LinkLoss} raised by the link watch. */
export function isLinkLoss(err: unknown): err is LinkLoss {
  return typeof err === "object" && err !== null && !(err instanceof Error) && (["closed", "reset", "garbage"].includes((err as LinkLoss).kind));
}

function portClosedError(ctx: Pick<ErrorContext, "what">, cause: unknown): EspsyncError {
  return new EspsyncError("PORT_CLOSED", `the port closed during ${ctx.what}`, { hint: HINT.portClosed, cause });
}

/**
 * The boot mode named in a ROM banner is download mode: "DOWNLOAD_BOOT(…)", "DOWNLOAD(USB/UART0)"
 * with "waiting for download" on silicon; "UART_BOOT(UART0)" (ESP32) and "UART0_BOOT" with "wait
 * uart0 download" (ESP32-C3) when the strap is fixed to the UART, as under Espressif's QEMU (§10).
 */
const DOWNLOAD_MODE = /download|UART0?_BOOT/i;
/** The first line of a ROM banner (§4.4, §10): an ESP chip resetting, even if cut before `boot:`. */
const ROM_BANNER = /ets [A-Z][a-z]{2} +\d+ \d{4}|ESP-ROM:/;

function connectError(ctx: ErrorContext, cause: unknown): EspsyncError {
  const received = ctx.received ?? new Uint8Array(0);
  // A banner is matched whole (the sample is up to 256 bytes); messages quote its start.
  const text = printable(received, received.length);
  const boot = /boot:(0x[0-9a-fA-F]+)/.exec(text);
  if (boot && !DOWNLOAD_MODE.test(text)) {
    return new EspsyncError("SYNC_FAILED", `no sync with the ROM loader: the chip booted normally (boot mode ${boot[1]}), not into download mode`, {
      hint: "The board's auto-reset did not pull the boot strap low: hold BOOT while pressing RESET, or use --before usb_reset on native USB.",
      cause,
    });
  }
  if (boot || ROM_BANNER.test(text)) {
    const mode = boot ? ` (boot mode ${boot[1]})` : "";
    return new EspsyncError("SYNC_FAILED", `the chip is in download mode${mode} but does not answer SYNC`, {
      hint: "The serial TX path to the chip seems broken: check the wiring (TX/RX) and that no other program uses the port.",
      cause,
    });
  }
  if (received.length > 0 && !boot) {
    return new EspsyncError("NOT_AN_ESP", `the device answered ${plural(received.length, "byte")} that ${received.length === 1 ? "is" : "are"} not ESP loader replies ("${text.slice(0, 32)}")`, {
      hint: HINT.notEsp,
      cause,
    });
  }
  return new EspsyncError("SYNC_FAILED", `no sync with the ROM loader (${ctx.what})${received.length === 0 ? ": the device sent nothing" : ""}`, {
    hint: HINT.sync,
    cause,
  });
}

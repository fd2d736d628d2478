/**
 * Options of {@link connect} and their validation (done before the port is touched).
 */
import type { BeforeMode, ChipName } from "./device.js";
import { usageError } from "./protocol-errors.js";
import { parseResetSequence, type ResetStep } from "./reset-sequence.js";
import { resolveTimeouts, type Timeouts } from "./timeouts.js";
import { DEFAULT_MD5_IN_FLIGHT } from "./flash-md5.js";

/** How to connect; everything is optional. */
export interface ConnectOptions {
  /** How to enter download mode (default `default_reset`). */
  readonly before?: BeforeMode;
  /** esptool-js custom reset sequence (`D0|R1|W100|D1|R0|W50|D0`), used instead of the built-in ones. */
  readonly resetSequence?: string;
  /** Reset + sync attempts (default 7). */
  readonly connectAttempts?: number;
  /** Upload the flasher stub (default true); false = talk to the ROM only. */
  readonly stub?: boolean;
  /** Transfer baud rate (default 921600). */
  readonly baudRate?: number;
  /** Baud rate of the ROM loader after reset (default 115200). */
  readonly romBaudRate?: number;
  /** Fail with CHIP_MISMATCH unless the chip is this one. */
  readonly expectedChip?: ChipName;
  /** Human progress lines. */
  readonly log?: (line: string) => void;
  /** Decoded protocol lines (`--trace`). */
  readonly trace?: (line: string) => void;
  /** Timeout overrides. */
  readonly timeouts?: Partial<Timeouts>;
  /** Most SPI_FLASH_MD5 requests outstanding at once with the stub (default 4). */
  readonly md5InFlight?: number;
}

/** Options with defaults applied and the reset sequence parsed. */
export interface ResolvedConnectOptions {
  readonly before: BeforeMode;
  readonly resetSteps: ResetStep[] | undefined;
  readonly connectAttempts: number;
  readonly stub: boolean;
  readonly baudRate: number;
  readonly romBaudRate: number;
  readonly expectedChip: ChipName | undefined;
  readonly log: (line: string) => void;
  readonly trace: ((line: string) => void) | undefined;
  readonly timeouts: Timeouts;
  readonly md5InFlight: number;
}

/** Default transfer rate. */
export const DEFAULT_BAUD_RATE = 921600;
/** ROM loader rate after reset. */
export const ROM_BAUD_RATE = 115200;

function checkBaud(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 9600 || value > 5_000_000) {
    throw usageError("BAUD_INVALID", `invalid ${name} ${value}`, "Use a baud rate such as 115200, 460800 or 921600.");
  }
  return value;
}

/** Applies defaults and validates; throws `RESET_SEQUENCE_INVALID`, `BAUD_INVALID` or `USAGE`. */
export function resolveConnectOptions(options: ConnectOptions = {}): ResolvedConnectOptions {
  const attempts = options.connectAttempts ?? 7;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw usageError("USAGE", `invalid connect attempts ${attempts}`, "Use a positive whole number (default 7).");
  }
  const inFlight = options.md5InFlight ?? DEFAULT_MD5_IN_FLIGHT;
  if (!Number.isInteger(inFlight) || inFlight < 1 || inFlight > 64) {
    throw usageError("USAGE", `invalid MD5 requests in flight ${inFlight}`, "Use 1..64 (default 4).");
  }
  return {
    before: options.before ?? "default_reset",
    resetSteps: options.resetSequence === undefined ? undefined : parseResetSequence(options.resetSequence),
    connectAttempts: attempts,
    stub: options.stub ?? true,
    baudRate: checkBaud("baud rate", options.baudRate ?? DEFAULT_BAUD_RATE),
    romBaudRate: checkBaud("ROM baud rate", options.romBaudRate ?? ROM_BAUD_RATE),
    expectedChip: options.expectedChip,
    log: options.log ?? (() => {}),
    trace: options.trace,
    timeouts: resolveTimeouts(options.timeouts),
    md5InFlight: inFlight,
  };
}

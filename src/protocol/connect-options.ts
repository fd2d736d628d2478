/**
 * Options of {@link connect} and their validation (done before the port is touched).
 */
import type { BeforeMode, ChipName } from "./device.js";
import { usageError } from "./protocol-errors.js";
import { parseResetSequence, type ResetStep } from "./reset-sequence.js";
import { resolveTimeouts, type Timeouts } from "./timeouts.js";

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
  /**
   * Transfer baud rate. Default: 921600 on ports that set their own rate; on ports that cannot
   * (raw TCP, `socket://`) the session stays at the ROM rate unless a rate is given here — then
   * the chip is switched and the far end must follow it, as QEMU's emulated UART does and a raw
   * TCP-to-serial bridge (ser2net in raw mode) does not.
   */
  readonly baudRate?: number;
  /** Baud rate of the ROM loader after reset (default 115200). */
  readonly romBaudRate?: number;
  /** Fail with CHIP_MISMATCH unless the chip is this one. */
  readonly expectedChip?: ChipName;
  /** Human progress lines. */
  readonly log?: (line: string) => void;
  /** Lines the user should see even when `log` is hidden (default: `log`). */
  readonly notice?: (line: string) => void;
  /** Decoded protocol lines (`--trace`). */
  readonly trace?: (line: string) => void;
  /** Timeout overrides. */
  readonly timeouts?: Partial<Timeouts>;
  /** Each reset-and-sync attempt as it starts (1-based, of `connectAttempts`). */
  readonly onAttempt?: (attempt: number, attempts: number) => void;
  /**
   * Aborted to stop connecting: checked before each attempt, so the one under way ends first (its
   * syncs take a fraction of a second); `connect` then rejects with INTERRUPTED.
   */
  readonly signal?: AbortSignal;
}

/** Options with defaults applied and the reset sequence parsed. */
export interface ResolvedConnectOptions {
  readonly before: BeforeMode;
  readonly resetSteps: ResetStep[] | undefined;
  readonly connectAttempts: number;
  readonly stub: boolean;
  /** Undefined when the caller asked for no rate (see {@link ConnectOptions.baudRate}). */
  readonly baudRate: number | undefined;
  readonly romBaudRate: number;
  readonly expectedChip: ChipName | undefined;
  readonly log: (line: string) => void;
  readonly notice: (line: string) => void;
  readonly trace: ((line: string) => void) | undefined;
  readonly timeouts: Timeouts;
  readonly onAttempt: ((attempt: number, attempts: number) => void) | undefined;
  readonly signal: AbortSignal | undefined;
}

/** Default transfer rate on ports that set their own rate. */
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
  return {
    before: options.before ?? "default_reset",
    resetSteps: options.resetSequence === undefined ? undefined : parseResetSequence(options.resetSequence),
    connectAttempts: attempts,
    stub: options.stub ?? true,
    baudRate: options.baudRate === undefined ? undefined : checkBaud("baud rate", options.baudRate),
    romBaudRate: checkBaud("ROM baud rate", options.romBaudRate ?? ROM_BAUD_RATE),
    expectedChip: options.expectedChip,
    log: options.log ?? (() => {}),
    notice: options.notice ?? options.log ?? (() => {}),
    trace: options.trace,
    timeouts: resolveTimeouts(options.timeouts),
    onAttempt: options.onAttempt,
    signal: options.signal,
  };
}

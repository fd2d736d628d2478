/**
 * Reset sequences run on the board host instead of across the network.
 *
 * Why: an ESP dev board turns DTR/RTS into EN/IO0 with two transistors — EN is low while RTS is
 * asserted and DTR is not, IO0 is low while DTR is asserted and RTS is not, and the chip samples IO0
 * a few milliseconds after EN rises. esptool's classic reset into download mode is
 *
 *     DTR=0 RTS=1 (EN low) · wait 100 ms · DTR=1 RTS=0 (EN rises, IO0 low) · wait 50 ms · DTR=0
 *
 * An RFC 2217 client sends each line change as its own SET-CONTROL, and pyserial's client waits for
 * each acknowledgement. Across a network the step "DTR=1 RTS=0" therefore reaches the board as two
 * changes a round trip apart, with DTR=1 RTS=1 in between: both transistors off, EN released with
 * IO0 high — the chip boots its application long before RTS=0 arrives. A server that forwards each
 * change as it comes (ser2net) cannot help it; this layer does.
 *
 * What it does, per pattern (timings are esptool's, `reset.py` / `esp_pylib.serial_reset`):
 * - **Classic reset** (esptool, esptool-js, espsync): the client goes from EN held low (DTR=0 RTS=1)
 *   to DTR=1 RTS=1. On a board that would mean "release EN with IO0 high", which no reset sequence
 *   wants while it still holds EN; it is the in-between step of "release EN with IO0 low". So the
 *   layer applies DTR=1 RTS=0 at once and keeps it for {@link LOCAL_RESET_TIMING.io0HoldMs} — long
 *   enough for the strap to be sampled — before it follows the client again. The client's own
 *   following steps (RTS=0, then DTR=0) only confirm it.
 * - **Hard reset** (RTS pulse with DTR released): forwarded. A slow link only lengthens the pulse,
 *   and EN is released with IO0 high, which is what a hard reset wants. The layer only makes sure EN
 *   stays low for at least {@link LOCAL_RESET_TIMING.enLowMs}, even when network jitter delivers the
 *   release right behind the press.
 * - **USB-Serial/JTAG reset** (DTR=1 RTS=0 · DTR=1 RTS=1 · DTR=0 RTS=1 · released): forwarded in
 *   order. The chip's USB peripheral decodes the order of the line changes, not their timing, and the
 *   sequence never goes from EN-low to both-asserted, so the classic rule does not touch it.
 * - Anything else (custom sequences, a terminal toggling lines): forwarded as it comes.
 *
 * The rule changes what the lines do only in the one state no sequence asks for on purpose; a
 * client that wants the application booted releases RTS, not asserts DTR.
 */
import type { SerialEndpoint } from "../../src/transport/endpoint.js";
import type { ControlLines } from "../../src/transport/port.js";

/** esptool's reset timings the layer enforces locally. */
export const LOCAL_RESET_TIMING = {
  /** EN is held low at least this long (esptool's classic `enter_boot_delay` and hard-reset hold, 0.1 s). */
  enLowMs: 100,
  /** IO0 stays low this long after EN is released (esptool's `DEFAULT_RESET_DELAY`, 0.05 s). */
  io0HoldMs: 50,
} as const;

/** Timings of {@link LocalReset} (tests may shorten them). */
export interface LocalResetTiming {
  readonly enLowMs: number;
  readonly io0HoldMs: number;
}

/** What the layer did on its own, for logs. */
export type LocalResetAction = "download-reset";

/** EN held low by the auto-reset circuit: RTS asserted, DTR not. */
function holdsEnLow(lines: ControlLines): boolean {
  return lines.rts && !lines.dtr;
}

function same(a: ControlLines | undefined, b: ControlLines): boolean {
  return a !== undefined && a.dtr === b.dtr && a.rts === b.rts;
}

/**
 * A `SerialEndpoint` in front of another that runs the client's reset sequences with local timing
 * (see the module comment). Bytes and baud rate pass straight through. Call {@link dispose} when the
 * client leaves.
 */
export class LocalReset implements SerialEndpoint {
  /** The lines the client asked for last. */
  private requested: ControlLines = { dtr: false, rts: false };
  /** The lines last applied to the device (undefined: none yet). */
  private applied: ControlLines | undefined;
  /** No line change reaches the device before this time (EN minimum, IO0 hold). */
  private blockedUntilMs = 0;
  /** The classic in-between step was seen: release EN with IO0 low at the next chance. */
  private downloadPending = false;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly device: SerialEndpoint,
    private readonly timing: LocalResetTiming = LOCAL_RESET_TIMING,
    private readonly onAction?: (action: LocalResetAction) => void,
  ) {}

  receive(data: Uint8Array): void {
    this.device.receive(data);
  }

  onTransmit(listener: (data: Uint8Array) => void): () => void {
    return this.device.onTransmit(listener);
  }

  setBaudRate(baudRate: number): void {
    this.device.setBaudRate(baudRate);
  }

  setLines(lines: ControlLines): void {
    if (this.disposed) return;
    const previous = this.requested;
    this.requested = { dtr: lines.dtr, rts: lines.rts };
    if (holdsEnLow(previous) && lines.dtr && lines.rts) this.downloadPending = true;
    else if (holdsEnLow(lines)) this.downloadPending = false; // a new reset replaces the pending one
    this.drive();
  }

  /** Stops: pending timers are cancelled and nothing more reaches the device. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Applies what is due now, or schedules itself for when the current hold ends. */
  private drive(): void {
    if (this.disposed || this.timer !== undefined) return;
    const waitMs = this.blockedUntilMs - Date.now();
    if (waitMs > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drive();
      }, waitMs);
      return;
    }
    if (this.downloadPending) {
      this.downloadPending = false;
      this.apply({ dtr: true, rts: false });
      this.onAction?.("download-reset");
      this.blockedUntilMs = Date.now() + this.timing.io0HoldMs;
      this.drive(); // schedules the end of the hold
      return;
    }
    this.apply(this.requested);
  }

  private apply(lines: ControlLines): void {
    if (same(this.applied, lines)) return;
    const enFalls = holdsEnLow(lines) && !(this.applied !== undefined && holdsEnLow(this.applied));
    this.applied = lines;
    this.device.setLines(lines);
    if (enFalls) this.blockedUntilMs = Date.now() + this.timing.enLowMs;
  }
}

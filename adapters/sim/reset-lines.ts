/**
 * The reset circuit of a dev board (PROTOCOL.md §4.1, §4.2): how the host's DTR/RTS reach EN and
 * IO0, when the chip is held in reset, and when the strap pin is sampled to choose between the ROM's
 * download mode and booting from flash. What the chip then prints lives in `boot.ts`.
 */
import type { ControlLines } from "../../src/transport/port.js";
import type { ResetCause } from "./boot.js";

/** Real-time window after EN rises in which strap pins may still change (the EN capacitor, §4.1). */
export const STRAP_SETTLE_MS = 5;

/** What the reset circuit drives on the chip. */
export interface ResetTarget {
  /** EN went low: the chip stops, and its UART loses a half-received frame. */
  halt(): void;
  /** EN is high and IO0 was sampled: run the ROM's download mode (`download`) or boot from flash. */
  boot(download: boolean, cause: ResetCause): void;
}

/** The host's DTR/RTS turned into EN/IO0 for one chip. */
export class ResetLines {
  private lines: ControlLines = { dtr: false, rts: false };
  private held = false;
  private usbDownloadLatch = false;
  private pendingBoot: { timer: NodeJS.Timeout; cause: ResetCause } | undefined;

  /**
   * @param usbJtagSerial the host is attached through the chip's USB-Serial/JTAG peripheral (§4.2)
   *   rather than a USB-UART bridge with the usual two-transistor auto-reset circuit (§4.1).
   */
  constructor(
    private readonly usbJtagSerial: boolean,
    private readonly target: ResetTarget,
  ) {}

  /** Whether EN is held low (the chip neither listens nor talks). */
  get inReset(): boolean {
    return this.held;
  }

  /** The host set DTR and RTS (always both together). */
  set(lines: ControlLines): void {
    const prev = this.lines;
    this.lines = { dtr: lines.dtr, rts: lines.rts };
    const enLow = lines.rts && !lines.dtr;
    if (this.usbJtagSerial) {
      // USB-Serial/JTAG model (§4.2, unconfirmed): reset while RTS=1 & DTR=0; download if DTR was
      // asserted just before reset was entered (or, as on a dev board, at release).
      if (enLow && !this.held) {
        this.enterReset();
        this.usbDownloadLatch = prev.dtr;
      } else if (!enLow && this.held) {
        this.held = false;
        this.target.boot(this.usbDownloadLatch || (lines.dtr && !lines.rts), "usb-jtag");
      }
      return;
    }
    if (enLow) {
      if (!this.held) this.enterReset();
    } else if (this.held) {
      // EN rises; IO0 is sampled a moment later (esptool's sequential DTR/RTS changes rely on it).
      this.held = false;
      const timer = setTimeout(() => this.settle(), STRAP_SETTLE_MS);
      timer.unref();
      this.pendingBoot = { timer, cause: "power-on" };
    }
  }

  /** Samples IO0 for a pending EN release (the settle window ended, or the chip is observed). */
  settle(): void {
    const pending = this.pendingBoot;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingBoot = undefined;
    this.target.boot(this.lines.dtr && !this.lines.rts, pending.cause);
  }

  /**
   * A reset from inside the chip (the RTC watchdog): nothing holds EN, IO0 is sampled from the lines
   * as they are now — high unless the host holds it low — so the chip normally boots from flash.
   */
  internalReset(cause: ResetCause): void {
    if (this.held) return; // EN is low: the chip is not running
    this.target.halt();
    this.target.boot(!this.usbJtagSerial && this.lines.dtr && !this.lines.rts, cause);
  }

  /** Power fails and returns: a reset with IO0 high, whatever the lines say, so the chip boots from flash. */
  powerCycle(): void {
    this.enterReset();
    this.held = false;
    this.target.boot(false, "power-on");
  }

  private enterReset(): void {
    this.held = true;
    if (this.pendingBoot) clearTimeout(this.pendingBoot.timer);
    this.pendingBoot = undefined;
    this.target.halt();
  }
}

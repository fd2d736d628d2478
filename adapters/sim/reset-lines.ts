/**
 * The reset circuit of a dev board (PROTOCOL.md §4.1, §4.2): how the host's DTR/RTS reach EN and
 * IO0, when the chip is held in reset, and when the strap pin is sampled to choose between the ROM's
 * download mode and booting from flash. Over the chip's own USB ports the lines are requests that
 * the chip decodes itself (see {@link ResetLines.set}). What the chip then prints lives in `boot.ts`.
 */
import type { ControlLines } from "../../src/transport/port.js";
import type { ResetCause } from "./boot.js";
import type { BootStraps } from "./boot-straps.js";
import type { SimPortKind } from "./usb-ports.js";

/** Real-time window after EN rises in which strap pins may still change (the EN capacitor, §4.1). */
export const STRAP_SETTLE_MS = 5;

/** What the reset circuit drives on the chip. */
export interface ResetTarget {
  /** EN went low: the chip stops, and its UART loses a half-received frame. */
  halt(): void;
  /** EN is high and IO0 was sampled: run the ROM's download mode (`download`) or boot from flash. */
  boot(download: boolean, cause: ResetCause): void;
  /** The application runs (over USB-OTG its console, not the ROM's, decodes the lines). */
  appRunning(): boolean;
}

/** The host's DTR/RTS turned into EN/IO0 for one chip. */
export class ResetLines {
  private lines: ControlLines = { dtr: false, rts: false };
  private held = false;
  private usbDownloadLatch = false;
  private pendingBoot: { timer: NodeJS.Timeout; cause: ResetCause } | undefined;

  /**
   * @param portKind `uart`: a USB-UART bridge with the usual two-transistor auto-reset circuit
   *   (§4.1); `usb-jtag`: the chip's USB-Serial/JTAG peripheral (§4.2); `usb-otg`: the CDC-ACM port
   *   of the ROM's (or the application's) USB-OTG stack.
   * @param straps the boot pin's latch and the force-download flag, which every boot decision consults.
   */
  constructor(
    private readonly portKind: SimPortKind,
    private readonly straps: BootStraps,
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
    if (this.portKind !== "uart") {
      // Over USB the chip decodes the lines itself (§4.2, unconfirmed): a reset while RTS=1 & DTR=0,
      // asking for download mode if DTR was asserted just before it (or, as on a dev board, at release).
      if (enLow && !this.held) {
        this.enterReset();
        this.usbDownloadLatch = prev.dtr;
      } else if (!enLow && this.held) {
        this.held = false;
        this.usbReset(this.usbDownloadLatch || (lines.dtr && !lines.rts));
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
    this.target.boot(this.straps.systemReset(this.lines.dtr && !this.lines.rts), pending.cause);
  }

  /**
   * A reset from inside the chip (the RTC watchdog): a system reset, so the boot pin is sampled
   * again — high unless the host holds it low through a UART bridge's circuit (over USB nothing
   * drives it: the BOOT button is released) — and the chip normally boots from flash.
   */
  internalReset(cause: ResetCause): void {
    if (this.held) return; // EN is low: the chip is not running
    this.target.halt();
    const pinLow = this.portKind === "uart" && this.lines.dtr && !this.lines.rts;
    this.target.boot(this.straps.systemReset(pinLow), cause);
  }

  /** Power fails and returns: a reset with IO0 high, whatever the lines say, so the chip boots from flash. */
  powerCycle(): void {
    this.enterReset();
    this.held = false;
    this.straps.powerOff();
    this.target.boot(this.straps.systemReset(false), "power-on");
  }

  /**
   * The USB-Serial/JTAG peripheral decides the boot mode itself (download when asked for). The
   * USB-OTG stack can only trigger a core reset, which keeps the latched boot pin: a chip strapped
   * into download mode stays there, one started from flash goes back to flash — unless the host
   * asked for download mode, which an application's console records as FORCE_DOWNLOAD_BOOT before
   * resetting (boot-straps.ts).
   * esptool's S2/S3 hard reset follows from this: it clears FORCE_DOWNLOAD_BOOT, then pulses RTS
   * when the pin was latched high (the core reset now boots the app) and uses the RTC watchdog,
   * a system reset that samples the released pin again, when it was latched low.
   * The banner names the reset as the USB-Serial/JTAG peripheral's (rst:0x15) or, over USB-OTG,
   * as the software CPU reset the stack performs (boot.ts).
   */
  private usbReset(downloadRequested: boolean): void {
    const download =
      this.portKind === "usb-otg" ? this.straps.coreReset(downloadRequested, this.target.appRunning()) : downloadRequested || this.straps.forced;
    this.target.boot(download, this.portKind === "usb-otg" ? "usb-otg" : "usb-jtag");
  }

  private enterReset(): void {
    this.held = true;
    if (this.pendingBoot) clearTimeout(this.pendingBoot.timer);
    this.pendingBoot = undefined;
    this.target.halt();
  }
}

/**
 * What decides the boot mode besides the reset lines: the boot pin as the ROM latched it at the last
 * system reset (GPIO_STRAP_REG), and RTC_CNTL_OPTION1's FORCE_DOWNLOAD_BOOT flag, which lives in the
 * RTC domain and so survives every reset short of a power cycle. Registers come from usb-ports.ts;
 * chips without an entry there keep the latch without registers and have no force flag.
 *
 * A system reset (EN pin, power, the RTC watchdog) samples the pin again; a core reset (what a
 * host's DTR/RTS over the chip's own USB port triggers) keeps the latched value — so a chip that
 * was strapped into download mode comes back in download mode, which is why esptool resets such a
 * chip with the RTC watchdog (troubleshooting docs, "Watchdog Reset Limitations").
 */
import type { RegisterFile } from "./registers.js";
import type { SimPortKind, SimUsbFacts } from "./usb-ports.js";

/** The boot pin's latch and the force-download flag of one chip. */
export class BootStraps {
  private latchedLow = false;

  /**
   * @param bootPinLow the pin's level at power-on (`boot=download`: held low, as with the BOOT button).
   * @param portKind the port the host uses, which the ROM records in UARTDEV_BUF_NO.
   */
  constructor(
    private readonly regs: RegisterFile,
    private readonly facts: SimUsbFacts | undefined,
    portKind: SimPortKind,
    bootPinLow: boolean,
  ) {
    const bufNo = facts?.uartDevBufNo;
    if (bufNo) regs.set(bufNo.addr, bufNo.values[portKind] ?? 0);
    this.latch(bootPinLow);
  }

  /** The boot pin read low at the last system reset. */
  get latchedDownload(): boolean {
    return this.latchedLow;
  }

  /** FORCE_DOWNLOAD_BOOT is set: the next reset enters download mode whatever the pin says. */
  get forced(): boolean {
    const f = this.facts?.forceDownload;
    return f !== undefined && (this.regs.read(f.reg) & f.mask) !== 0;
  }

  /** A system reset sampled the boot pin; returns whether the ROM enters download mode. */
  systemReset(bootPinLow: boolean): boolean {
    this.latch(bootPinLow);
    return bootPinLow || this.forced;
  }

  /**
   * A core reset keeps the latched pin. When the application's USB console is asked for download
   * mode (`requestDownload` while `appRunning`), it sets FORCE_DOWNLOAD_BOOT before restarting, as
   * ESP-IDF's USB-OTG console does; the ROM's own port needs no flag for it, since a chip in its
   * download mode is there by the latched pin or by the flag already.
   */
  coreReset(requestDownload: boolean, appRunning: boolean): boolean {
    const f = this.facts?.forceDownload;
    if (requestDownload && appRunning && f) this.regs.set(f.reg, this.regs.read(f.reg) | f.mask);
    return requestDownload || this.latchedLow || this.forced;
  }

  /** Power went away: the RTC domain loses FORCE_DOWNLOAD_BOOT. */
  powerOff(): void {
    const f = this.facts?.forceDownload;
    if (f) this.regs.set(f.reg, this.regs.read(f.reg) & ~f.mask);
  }

  private latch(low: boolean): void {
    this.latchedLow = low;
    const strap = this.facts?.strap;
    if (strap) this.regs.set(strap.reg, low ? strap.download : strap.flashBoot);
  }
}

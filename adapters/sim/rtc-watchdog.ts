/**
 * The RTC watchdog as a host arms it through WRITE_REG (esptool's watchdog reset): it resets the
 * chip once its timeout in cycles of the RTC slow clock has passed.
 */

/** The RTC slow clock (the internal ~136 kHz RC oscillator), in cycles per millisecond. */
const RTC_SLOW_CLOCK_CYCLES_PER_MS = 136;

/** One chip's RTC watchdog. */
export class RtcWatchdog {
  private timer: NodeJS.Timeout | undefined;

  /** `expire` resets the chip. */
  constructor(private readonly expire: () => void) {}

  /**
   * Armed for `cycles` (esptool's 2000: about 15 ms), counted in real time so that the WRITE_REG
   * that armed it is answered first. Re-arming restarts the count.
   */
  arm(cycles: number): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expire();
    }, Math.max(1, Math.ceil(cycles / RTC_SLOW_CLOCK_CYCLES_PER_MS)));
    this.timer.unref();
  }

  /** Any reset leaves it disarmed (the ROM does not arm it in download mode). */
  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

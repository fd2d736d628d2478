/**
 * The chip's register file as the loader exposes it through READ_REG/WRITE_REG (PROTOCOL.md §2.7,
 * §3.3): fixed eFuse words from the chip table, the MAC, the magic value, and a plain memory for
 * everything else (unknown addresses read 0). Writing CMD bit 18 of the SPI controller runs the
 * user-command engine; enabling the RTC watchdog with a reset stage, its registers unlocked, resets
 * the chip once it expires.
 */
import { CHIP_MAGIC_REG, RTC_WDT_KEY, type SimChipSpec } from "./chip-table.js";
import type { FlashModel } from "./flash-model.js";
import { PROTO } from "./protocol-constants.js";
import { runSpiUserCommand } from "./spi-engine.js";

/** CRC8 (Dallas/Maxim, reflected polynomial 0x8C) the ESP32 stores beside its factory MAC. */
export function macCrc8(mac: readonly number[]): number {
  let crc = 0;
  for (const byte of mac) {
    let b = byte;
    for (let i = 0; i < 8; i++) {
      const mix = (crc ^ b) & 1;
      crc >>= 1;
      if (mix) crc ^= 0x8c;
      b >>= 1;
    }
  }
  return crc;
}

/** The two eFuse words holding a MAC, §3.3: word0 = mac[2..5] big-endian, word1 = mac[0..1] (+CRC on ESP32). */
export function macWords(mac: readonly number[], withCrc: boolean): [number, number] {
  const [m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0] = mac;
  const word0 = ((m2 << 24) | (m3 << 16) | (m4 << 8) | m5) >>> 0;
  const word1 = (((withCrc ? macCrc8(mac) : 0) << 16) | (m0 << 8) | m1) >>> 0;
  return [word0, word1];
}

/** READ_REG/WRITE_REG target. */
export class RegisterFile {
  private readonly values = new Map<number, number>();

  /**
   * @param onWatchdog called when the RTC watchdog is armed to reset the chip, with its timeout in
   *   slow-clock cycles (CONFIG1); the chip resets when it expires.
   */
  constructor(
    private readonly spec: SimChipSpec,
    mac: readonly number[],
    private readonly flash: FlashModel,
    private readonly onWatchdog: (timeoutCycles: number) => void = () => undefined,
  ) {
    this.values.set(CHIP_MAGIC_REG, spec.magic[0] ?? 0);
    for (const [addr, value] of Object.entries(spec.registers)) this.values.set(Number(addr), value);
    const [w0, w1] = macWords(mac, spec.macCrc);
    this.values.set(spec.macReg, w0);
    // The word holding MAC bytes 0..1 also holds eFuse fields on some chips (the ESP32-C2's
    // revision and package): those come from the chip table.
    this.values.set(spec.macReg + 4, (w1 | this.read(spec.macReg + 4)) >>> 0);
  }

  /** Reads a register; unknown addresses read 0 (§3.3). */
  read(addr: number): number {
    return this.values.get(addr >>> 0) ?? 0;
  }

  /** Stores a value without side effects. */
  set(addr: number, value: number): void {
    this.values.set(addr >>> 0, value >>> 0);
  }

  /** WRITE_REG semantics (§2.7): `(value & mask) | (old & ~mask)`, then side effects. */
  write(addr: number, value: number, mask: number): void {
    const old = this.read(addr);
    const next = mask >>> 0 === 0xffffffff ? value : (value & mask) | (old & ~mask);
    const wdt = this.spec.rtcWdt;
    const a = addr >>> 0;
    // The watchdog's configuration ignores writes while its write-protect register lacks the key.
    if (wdt && (a === wdt.config0 || a === wdt.config1) && this.read(wdt.wprotect) !== RTC_WDT_KEY) return;
    this.set(a, next);
    if (a === this.spec.spi.base && next & PROTO.SPI_CMD_USR) runSpiUserCommand(this.spec.spi, this, this.flash);
    // Enabled (bit 31) with a stage-0 action (bits 30..28; esptool writes 5, reset): the chip resets.
    if (wdt && a === wdt.config0 && next >>> 31 === 1 && ((next >>> 28) & 7) !== 0) this.onWatchdog(this.read(wdt.config1));
  }
}

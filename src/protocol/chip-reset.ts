/**
 * Resetting the chip out of the loader at the end of a session (`--after hard-reset` and
 * `--after watchdog-reset`), per chip as esptool does it (`hard_reset`, `watchdog_reset` in its
 * target files, `reset_chip` in cmds.py), through whichever loader runs (ROM or stub):
 * - the chips with a USB-OTG port (S2, S3, P4) clear RTC_CNTL_OPTION1's FORCE_DOWNLOAD_BOOT first:
 *   esptool does this on the S3 only, but its S2 and P4 target files name the same flag, and a flag
 *   left set (by the application's USB console, asked for download mode) would bring the chip back
 *   into download mode after any reset, the watchdog's included;
 * - over the ROM's USB-OTG port an RTS pulse is only a core reset, which keeps the latched boot pin:
 *   the S2/S3 use the RTC watchdog (a system reset that samples the released pin again) when the pin
 *   was low at boot and no download is forced, the P4 whenever it talks over USB-OTG;
 * - everything else pulses RTS with IO0 released. A port without DTR/RTS uses the RTC watchdog
 *   instead where esptool trusts it (not the ESP32, C6 or H2, nor in Secure Download Mode).
 */
import { hex32 } from "../errors.js";
import { OP } from "./opcodes.js";
import { HARD_RESET_STEPS, runResetSteps, USB_HARD_RESET_STEPS } from "./reset-sequence.js";
import { RESET_REGISTERS, RTC_WDT_KEY, watchdogResetRegisters, type RtcWatchdogRegisters } from "./reset-registers.js";
import type { Session } from "./session.js";
import { u32le } from "./words.js";

/** esptool's RTC watchdog timeout: 2000 slow-clock cycles (~15 ms). */
export const WATCHDOG_TIMEOUT_CYCLES = 2000;

/** esptool's CONFIG0 value: enable (bit 31), stage-0 action 5, a reset (bits 30..28), and its low bits (1 << 8 | 2). */
export const WATCHDOG_ARM = ((1 << 31) | (5 << 28) | (1 << 8) | 2) >>> 0;

/** How long esptool waits for the watchdog reset to take effect. */
export const WATCHDOG_SETTLE_MS = 500;

/** `ESP32-C6` for `esp32c6`, as esptool names chips in its messages. */
function chipLabel(chip: string): string {
  return chip.toUpperCase().replace(/^ESP32(?=.)/, "ESP32-");
}

async function writeReg(session: Session, addr: number, value: number, what: string, options: { mask?: number; timeoutMs?: number } = {}): Promise<void> {
  await session.link.command(OP.WRITE_REG, u32le(addr, value, options.mask ?? 0xffffffff, 0), {
    what: `WRITE_REG ${hex32(addr)} (${what})`,
    timeoutMs: options.timeoutMs ?? session.timeouts.defaultMs,
  });
}

async function readReg(session: Session, addr: number, what: string): Promise<number> {
  const reply = await session.link.command(OP.READ_REG, u32le(addr), { what: `READ_REG ${hex32(addr)} (${what})`, timeoutMs: session.timeouts.defaultMs });
  return reply.value;
}

/** After a reset the chip talks at the ROM rate: the host follows, so the boot log stays readable. */
async function followRomRate(session: Session): Promise<void> {
  const { state, port } = session;
  if (state.baudRate === session.romBaudRate || !port.capabilities.setBaudRate) return;
  await port.setBaudRate(session.romBaudRate);
  state.baudRate = session.romBaudRate;
}

/** esptool's `watchdog_reset`: unlock, timeout, enable with a system-reset stage, lock; then wait. */
async function armWatchdog(session: Session, wdt: RtcWatchdogRegisters): Promise<void> {
  session.log("Hard resetting with a watchdog...");
  await writeReg(session, wdt.wprotect, RTC_WDT_KEY, "unlock the RTC watchdog");
  await writeReg(session, wdt.config1, WATCHDOG_TIMEOUT_CYCLES, "RTC watchdog timeout");
  await writeReg(session, wdt.config0, WATCHDOG_ARM, "arm the RTC watchdog");
  // The chip resets about 15 ms after the enable: the lock's reply may be lost to it, and a USB
  // port may go away with the reset. Either way the reset is under way, so failures are ignored.
  await writeReg(session, wdt.wprotect, 0, "lock the RTC watchdog", { timeoutMs: WATCHDOG_SETTLE_MS }).catch(() => undefined);
  await followRomRate(session).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, WATCHDOG_SETTLE_MS));
}

/** An RTS pulse with IO0 released (esptool's `HardReset`; longer over the chip's own USB port). */
async function rtsReset(session: Session, slow: boolean): Promise<void> {
  session.log("Hard resetting via RTS pin...");
  await followRomRate(session);
  await runResetSteps(session.port, slow ? USB_HARD_RESET_STEPS : HARD_RESET_STEPS);
}

/** FORCE_DOWNLOAD_BOOT cleared (S2, S3, P4); a failure is ignored, as esptool ignores it. */
async function clearForcedDownload(session: Session): Promise<void> {
  const otg = RESET_REGISTERS[session.chip].usbOtg;
  if (otg === undefined) return;
  try {
    await writeReg(session, otg.option1Reg, 0, "clear FORCE_DOWNLOAD_BOOT", { mask: otg.forceDownloadMask });
  } catch {
    // esptool: "Skip invalid response and continue reset" — the reset matters more than the flag.
  }
}

/** Whether esptool's `hard_reset` picks the watchdog: only over USB-OTG, see the module comment. */
async function otgNeedsWatchdog(session: Session): Promise<boolean> {
  const entry = RESET_REGISTERS[session.chip];
  if (session.chipPort !== "usb-otg" || entry.usbOtg === undefined) return false;
  if (entry.hardReset === "otg") return true;
  if (entry.hardReset !== "otg-strap") return false;
  const { strapReg, spiBootMask, option1Reg, forceDownloadMask } = entry.usbOtg;
  const strap = await readReg(session, strapReg, "GPIO_STRAP");
  const option1 = await readReg(session, option1Reg, "RTC_CNTL_OPTION1");
  return (strap & spiBootMask) === 0 && (option1 & forceDownloadMask) === 0;
}

/** Why this session cannot use the watchdog reset, or undefined when it can. */
function noWatchdogReason(session: Session): string | undefined {
  if (session.state.secureDownloadMode) return "Secure Download Mode refuses the register writes of a watchdog reset";
  const entry = RESET_REGISTERS[session.chip];
  if (entry.noWatchdogReset !== undefined || entry.rtcWdt === undefined) {
    return `the ${chipLabel(session.chip)} has no watchdog reset (${entry.noWatchdogReset ?? "no RTC watchdog"})`;
  }
  return undefined;
}

/** `--after hard-reset`; see the module comment. */
export async function hardReset(session: Session): Promise<void> {
  const entry = RESET_REGISTERS[session.chip];
  const sdm = session.state.secureDownloadMode;
  if (!sdm) await clearForcedDownload(session);
  const wdt = watchdogResetRegisters(session.chip);
  // esptool cannot tell USB-OTG in Secure Download Mode (READ_REG is refused) and pulses RTS there.
  if (!sdm && wdt !== undefined && (await otgNeedsWatchdog(session))) return armWatchdog(session, wdt);
  if (!session.port.capabilities.controlLines) {
    const why = noWatchdogReason(session);
    if (why === undefined && wdt !== undefined) {
      session.log(`${session.port.info.path} has no DTR/RTS lines: resetting with the RTC watchdog instead.`);
      return armWatchdog(session, wdt);
    }
    session.notice(`${session.port.info.path} has no DTR/RTS lines and ${why}: cannot hard-reset; reset the board by hand to run the new firmware.`);
    return;
  }
  return rtsReset(session, entry.slowRtsOver !== undefined && entry.slowRtsOver === session.chipPort);
}

/** `--after watchdog-reset`: esptool's `reset_chip`, falling back to the hard reset where it cannot. */
export async function watchdogReset(session: Session): Promise<void> {
  const wdt = watchdogResetRegisters(session.chip);
  if (session.state.secureDownloadMode) {
    session.notice("Watchdog hard reset is not supported in Secure Download Mode, attempting classic hard reset instead.");
    return hardReset(session);
  }
  if (wdt === undefined) {
    session.notice(`Watchdog hard reset is not supported on ${chipLabel(session.chip)}, attempting classic hard reset instead.`);
    return hardReset(session);
  }
  await clearForcedDownload(session);
  return armWatchdog(session, wdt);
}

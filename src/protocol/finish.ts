/**
 * Leaving the chip as asked (`--after`, PROTOCOL.md §4.3), with esptool's semantics but our own
 * resets: esptool-js 0.7.0's `after("hard_reset")` never asserts RTS after a classic reset, so the
 * chip keeps running the stub (§4.2). Here EN is pulsed with IO0 released, or the RTC watchdog
 * resets the chip where esptool would use it (chip-reset.ts).
 */
import { hardReset, watchdogReset } from "./chip-reset.js";
import type { AfterMode } from "./device.js";
import { OP } from "./opcodes.js";
import { unsupportedError } from "./protocol-errors.js";
import type { Session } from "./session.js";
import { u32le } from "./words.js";

/** Does what `after` asks; the caller releases the port afterwards. */
export async function finishSession(session: Session, after: AfterMode): Promise<void> {
  const { link, state } = session;
  switch (after) {
    case "hard_reset":
      return hardReset(session);
    case "watchdog_reset":
      return watchdogReset(session);
    case "soft_reset":
      if (state.stub) {
        throw unsupportedError("soft_reset with the flasher stub on ESP32-family chips", "Use --after hard_reset, or --no-stub to soft-reset through the ROM.");
      }
      // "Run user code": FLASH_END(1). esptool sends FLASH_BEGIN(0, 0) first, but the ROM leaves
      // download mode on FLASH_END(1) without it (it answers 01 06 and runs the app — seen on the
      // real ESP32 ROM), and a FLASH_BEGIN whose size byte is garbled on the line erases from 0.
      session.log("Soft resetting...");
      await link.send(OP.FLASH_END, u32le(1), "soft reset: run user code");
      return;
    case "no_reset":
      // esptool sends FLASH_BEGIN(0, 0) + FLASH_END(0) to make the legacy stub reboot into the ROM
      // loader. esp-flasher-stub, the one espsync uploads, leaves that reboot unimplemented, and it
      // starts erasing at FLASH_BEGIN: a size byte garbled on the line would erase from 0. So
      // nothing is sent; the chip stays in download mode, the stub running (the next session
      // finds it and needs no upload).
      session.log(state.stub ? "Staying in bootloader (the flasher stub keeps running)." : "Staying in bootloader.");
      return;
    case "no_reset_stub":
      session.log(state.stub ? "Staying in flasher stub." : "Staying in bootloader.");
      return;
  }
}

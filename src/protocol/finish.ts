/**
 * Leaving the chip as asked (`--after`, PROTOCOL.md §4.3), with esptool's semantics but our own
 * hard reset: esptool-js 0.7.0's `after("hard_reset")` never asserts RTS after a classic reset,
 * so the chip keeps running the stub (§4.2). Here EN is pulsed with IO0 released.
 */
import type { AfterMode } from "./device.js";
import { OP } from "./opcodes.js";
import { unsupportedError } from "./protocol-errors.js";
import { HARD_RESET_STEPS, runResetSteps } from "./reset-sequence.js";
import type { Session } from "./session.js";
import { u32le } from "./words.js";

/** FLASH_BEGIN(0, 0) as the ROM and the stub accept it (4 words on the ESP32 ROM, §2.2). */
function emptyBegin(session: Session): Uint8Array {
  return session.state.stub || session.chip !== "esp32" ? u32le(0, 0, 0x400, 0, 0) : u32le(0, 0, 0x400, 0);
}

/** Does what `after` asks; the caller releases the port afterwards. */
export async function finishSession(session: Session, after: AfterMode): Promise<void> {
  const { link, state, timeouts } = session;
  switch (after) {
    case "hard_reset":
      if (!session.port.capabilities.controlLines) {
        session.log("This port has no DTR/RTS lines: cannot hard-reset; reset the board by hand to run the new firmware.");
        return;
      }
      session.log("Hard resetting via RTS pin...");
      // After reset the chip talks at the ROM rate: match it, so its boot log stays readable.
      if (state.baudRate !== session.romBaudRate && session.port.capabilities.setBaudRate) {
        await session.port.setBaudRate(session.romBaudRate);
        state.baudRate = session.romBaudRate;
      }
      await runResetSteps(session.port, HARD_RESET_STEPS);
      return;
    case "soft_reset":
      if (state.stub) {
        throw unsupportedError("soft_reset with the flasher stub on ESP32-family chips", "Use --after hard_reset, or --no-stub to soft-reset through the ROM.");
      }
      // esptool's "run user code": FLASH_BEGIN(0,0) then FLASH_END(1); the ROM leaves download mode.
      session.log("Soft resetting...");
      await link.command(OP.FLASH_BEGIN, emptyBegin(session), { what: "soft reset: begin", timeoutMs: timeouts.defaultMs });
      await link.send(OP.FLASH_END, u32le(1), "soft reset: run user code");
      return;
    case "no_reset":
      if (state.stub) {
        // esptool: FLASH_BEGIN(0,0) + FLASH_END(0) makes the legacy stub reset into the ROM loader;
        // esp-flasher-stub ignores it and stays. Either way the chip remains in download mode.
        session.log("Staying in bootloader.");
        try {
          await link.command(OP.FLASH_BEGIN, emptyBegin(session), { what: "no_reset: begin", timeoutMs: timeouts.defaultMs });
          await link.send(OP.FLASH_END, u32le(0), "no_reset: end");
        } catch (err) {
          session.log(`Could not hand the chip back to the ROM loader (${err instanceof Error ? err.message : String(err)}); the stub keeps running.`);
        }
        return;
      }
      session.log("Staying in bootloader.");
      return;
    case "no_reset_stub":
      session.log(state.stub ? "Staying in flasher stub." : "Staying in bootloader.");
      return;
  }
}

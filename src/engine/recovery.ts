/**
 * The engine's recovery policy, one rule: when a digest query, a read, a write run or an erase-only run
 * fails in a way that leaves the chip reachable — no answer in time (TIMEOUT), a garbled reply
 * (PROTOCOL_ERROR), a refusal (ROM_ERROR) or a chip reset (CHIP_RESET) — get a clean conversation
 * back (`Device.recover`: re-sync, or reset and reconnect at the ROM baud) and run that operation
 * once more. This is safe because every operation is idempotent: digests and reads only read, and a run erases
 * every sector it writes before writing it, so writing a run again from its start gives the same
 * flash whatever the first attempt left (a half-programmed sector included).
 *
 * Anything else stops the flash at once: a closed port (PORT_CLOSED — the board is gone; re-running
 * the command finishes the job), INTERRUPTED, refused inputs. A second failure of the same operation,
 * or more than {@link MAX_RECOVERIES} recoveries in one operation of the engine, stop it too.
 */
import { EspsyncError, type ErrorCode } from "../errors.js";
import type { Device } from "../protocol/device.js";
import type { FlashEvent } from "./types.js";

/** Failures after which a re-sync and one retry are safe. */
export const RECOVERABLE_CODES: readonly ErrorCode[] = ["TIMEOUT", "PROTOCOL_ERROR", "ROM_ERROR", "CHIP_RESET"];

/** Recoveries allowed in one flash or verify: a link that keeps failing is not worth fighting. */
export const MAX_RECOVERIES = 3;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * `device` with the policy above applied to `md5`, `md5Many`, `read`, `write` and `eraseRegion`
 * (not `eraseAll`, whose timeout is minutes). Each recovery is announced with a `warning` event.
 */
export function withRecovery(device: Device, onEvent: (e: FlashEvent) => void): Device {
  let recoveries = 0;
  const attempt = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      const recover = device.recover?.bind(device);
      if (!(err instanceof EspsyncError) || !RECOVERABLE_CODES.includes(err.code) || !recover || recoveries >= MAX_RECOVERIES) throw err;
      recoveries++;
      onEvent({ type: "warning", message: `${err.message}; re-synchronising with the chip and trying once more` });
      try {
        await recover();
      } catch (recoverErr) {
        // Report the original failure; the recovery's own failure is the cause.
        throw new EspsyncError(recoverErr instanceof EspsyncError ? recoverErr.code : err.code, `${err.message}; recovery failed: ${describe(recoverErr)}`, {
          hint: recoverErr instanceof EspsyncError && recoverErr.hint ? recoverErr.hint : err.hint,
          cause: recoverErr,
        });
      }
      return op();
    }
  };
  return {
    get chip() {
      return device.chip;
    },
    md5: (addr, sizeBytes) => attempt(() => device.md5(addr, sizeBytes)),
    md5Many: (ranges) => attempt(() => device.md5Many(ranges)),
    write: (addr, data, options) => attempt(() => device.write(addr, data, options)),
    eraseRegion: (addr, sizeBytes) => attempt(() => device.eraseRegion(addr, sizeBytes)),
    eraseAll: () => device.eraseAll(),
    read: (addr, sizeBytes, onProgress) => attempt(() => device.read(addr, sizeBytes, onProgress)),
    ...(device.recover && { recover: () => (device.recover as () => Promise<void>)() }),
    finish: (after) => device.finish(after),
    close: () => device.close(),
  };
}

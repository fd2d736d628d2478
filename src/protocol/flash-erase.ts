/**
 * Erasing flash. The stub has ERASE_REGION and ERASE_FLASH (PROTOCOL.md §2). The ROM has neither,
 * but erases the announced region at FLASH_BEGIN (§2.2, §11: exactly ceil(size/4 KiB) sectors), so
 * with the ROM an erase is a FLASH_BEGIN with no data blocks following; nothing else is written.
 */
import { hex32 } from "../errors.js";
import { requireSectorAligned } from "../util/sector-alignment.js";
import { OP } from "./opcodes.js";
import { secureDownloadModeError, unsupportedError } from "./protocol-errors.js";
import type { Session } from "./session.js";
import { chipEraseTimeoutMs, eraseTimeoutMs } from "./timeouts.js";
import { u32le } from "./words.js";

/** Block size announced in an erase-only FLASH_BEGIN; no block follows (§5.2 ROM block size). */
const ROM_BLOCK_BYTES = 0x400;

/** FLASH_BEGIN that only erases (ROM): 4 words on the ESP32 ROM, 5 on later ROMs (§2.2). */
async function romEraseByBegin(session: Session, addr: number, sizeBytes: number, what: string): Promise<void> {
  const words = [sizeBytes, 0, ROM_BLOCK_BYTES, addr];
  if (session.chip !== "esp32") words.push(0);
  await session.link.command(OP.FLASH_BEGIN, u32le(...words), { what, timeoutMs: eraseTimeoutMs(session.timeouts, addr, sizeBytes) });
}

/** Erases `[addr, addr + sizeBytes)`; both 4 KiB aligned. */
export async function flashEraseRegion(session: Session, addr: number, sizeBytes: number): Promise<void> {
  const what = `erase of ${hex32(addr)}..${hex32(addr + sizeBytes)}`;
  requireSectorAligned(addr, `${what}: address`);
  requireSectorAligned(sizeBytes, `${what}: size`, "size");
  if (sizeBytes === 0) return;
  if (session.state.secureDownloadMode) throw secureDownloadModeError(what, "only writes are allowed; write 0xFF bytes instead");
  if (!session.state.stub) return romEraseByBegin(session, addr, sizeBytes, what);
  await session.link.command(OP.ERASE_REGION, u32le(addr, sizeBytes), { what, timeoutMs: eraseTimeoutMs(session.timeouts, addr, sizeBytes) });
}

/** Erases the whole flash chip. */
export async function flashEraseAll(session: Session): Promise<void> {
  const what = "erase of the whole flash";
  if (session.state.secureDownloadMode) throw secureDownloadModeError(what, "only writes are allowed");
  if (!session.state.stub) {
    if (session.flashSizeBytes === 0) {
      throw unsupportedError(`${what} without the flasher stub`, "The flash size is unknown (RDID failed); run with the stub or erase a region.");
    }
    return romEraseByBegin(session, 0, session.flashSizeBytes, what);
  }
  await session.link.command(OP.ERASE_FLASH, new Uint8Array(0), { what, timeoutMs: chipEraseTimeoutMs(session.timeouts, session.flashSizeBytes) });
}

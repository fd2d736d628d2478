/**
 * Telling the loader about the SPI flash before flash commands (PROTOCOL.md §2.7), as esptool does:
 * SPI_ATTACH, then SPI_SET_PARAMS once the size is known. The ROM needs both again after every reset
 * (it forgets them); the stub takes SPI_ATTACH too, with a shorter payload.
 */
import type { CommandLink } from "./command-link.js";
import { OP } from "./opcodes.js";
import { u32le } from "./words.js";

/**
 * SPI_ATTACH: the ROM's payload has a 4-byte "is legacy" tail (§2.7); the stub takes the first word
 * alone and answers 8 bytes with C0 (as esptool sends it: the tail only when no stub runs).
 */
export async function spiAttach(link: CommandLink, timeoutMs: number): Promise<void> {
  await link.command(OP.SPI_ATTACH, link.state.stub ? u32le(0) : u32le(0, 0), { what: "SPI_ATTACH", timeoutMs });
}

/** SPI_SET_PARAMS as esptool sends it: id, size, block, sector, page, status mask (§2.7). */
export async function setFlashParams(link: CommandLink, timeoutMs: number, flashSizeBytes: number): Promise<void> {
  await link.command(OP.SPI_SET_PARAMS, u32le(0, flashSizeBytes, 0x10000, 0x1000, 0x100, 0xffff), { what: "SPI_SET_PARAMS", timeoutMs });
}

/** Both, after a reset: the size is sent only when known (0 = unknown, e.g. before RDID was read). */
export async function attachFlash(link: CommandLink, timeoutMs: number, flashSizeBytes: number): Promise<void> {
  await spiAttach(link, timeoutMs);
  if (flashSizeBytes) await setFlashParams(link, timeoutMs, flashSizeBytes);
}

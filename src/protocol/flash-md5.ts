/**
 * Flash digests computed by the chip (SPI_FLASH_MD5, PROTOCOL.md §2).
 *
 * How many requests may be outstanding depends on who reads them:
 *
 * - **The flasher stub: one at a time** (PROTOCOL.md §12, and esp-flasher-stub's `transport.c`,
 *   `slip.c`, `frame_buffer.c`). Its UART interrupt drains the receive FIFO in batches into one of
 *   two frame buffers. When a frame completes, no buffer is armed until the main loop takes the
 *   frame, so the bytes that follow *in the same interrupt batch* are dropped — 0xC0 included. A
 *   request that arrives later, while the command runs, waits in the second buffer; a third is
 *   dropped. Worse, a frame whose start was dropped but whose end arrives after the re-arm opens a
 *   phantom frame with its closing 0xC0, and every later frame is then mis-framed until an extra
 *   0xC0 arrives (see `recover.ts`). Which bytes share a batch is decided by the link (USB bridges
 *   and TCP coalesce writes; the FIFO threshold is 32 bytes), not by the host, so no second request
 *   is ever safe. Observed on the real stub under QEMU: 4 requests sent back to back got 1 reply,
 *   2 got 1, and a request sent 100 ms into a 1 MiB digest was answered after it.
 * - **The ROM loader: as many as fit in its UART FIFO.** The ROM polls the 128-byte receive FIFO
 *   between commands and reads requests waiting there in order (observed on the real ESP32 and
 *   ESP32-C3 ROMs: 4 digest requests back to back, 4 replies in order), so the chip starts the
 *   next digest without waiting a host round trip. Bytes beyond the FIFO would be lost while the
 *   ROM hashes, so the outstanding requests' wire bytes stay within it.
 *
 * Requests go out through `CommandLink.send`, which does not flush the input buffer as
 * esptool-js's `command()` does (that would discard replies already received). Replies carry the
 * same opcode and come back in request order.
 */
import { hex32 } from "../errors.js";
import { md5PayloadBytes, decodeMd5Payload } from "./md5-reply.js";
import { OP } from "./opcodes.js";
import { protocolError, secureDownloadModeError } from "./protocol-errors.js";
import type { Session } from "./session.js";
import { md5TimeoutMs, wireTimeMs } from "./timeouts.js";
import { u32le } from "./words.js";

/** Receive FIFO of the ROM's UART on every ESP32-family chip (technical reference manuals: 128 bytes). */
export const ROM_UART_FIFO_BYTES = 128;

/** A flash range to digest. */
export interface Md5Range {
  readonly addr: number;
  readonly sizeBytes: number;
}

function describe(range: Md5Range): string {
  return `SPI_FLASH_MD5 at ${hex32(range.addr)} (${range.sizeBytes} bytes)`;
}

/** Bytes a request with `data` occupies on the wire: 8-byte header, data, SLIP escapes and the two delimiters. */
export function requestWireBytes(data: Uint8Array): number {
  let escapes = 0;
  for (const b of data) if (b === 0xc0 || b === 0xdb) escapes++;
  // The header is 00, opcode, size (u16 < 0xC0 here) and a zero checksum: nothing to escape.
  return 8 + data.length + escapes + 2;
}

/**
 * Digests of `ranges`, in order: one request at a time with the stub; with the ROM, as many
 * outstanding as fit in its UART FIFO (see the module comment).
 */
export async function flashMd5Many(session: Session, ranges: readonly Md5Range[]): Promise<Uint8Array[]> {
  const { link, state } = session;
  if (state.secureDownloadMode) {
    throw secureDownloadModeError("reading flash digests", "the ROM refuses SPI_FLASH_MD5, and delta flashing needs the chip's digests; only full writes are possible");
  }
  const budgetBytes = state.stub ? 0 : ROM_UART_FIFO_BYTES;
  const payloadBytes = md5PayloadBytes(state.stub);
  const requests = ranges.map((r) => u32le(r.addr, r.sizeBytes, 0, 0));
  const wireBytes = requests.map(requestWireBytes);
  const results: Uint8Array[] = [];
  let sent = 0;
  let outstandingBytes = 0;
  session.loader.transport.flushInput();
  try {
    while (results.length < ranges.length) {
      // Always one request outstanding; more only while they fit the budget.
      while (sent < ranges.length && (sent === results.length || outstandingBytes + (wireBytes[sent] as number) <= budgetBytes)) {
        await link.send(OP.SPI_FLASH_MD5, requests[sent] as Uint8Array, describe(ranges[sent] as Md5Range));
        outstandingBytes += wireBytes[sent] as number;
        sent++;
      }
      const range = ranges[results.length] as Md5Range;
      const what = describe(range);
      // The chip starts this digest once it has sent the previous reply; the requests queued
      // ahead of it and its reply still have to cross the wire.
      const timeoutMs = md5TimeoutMs(session.timeouts, range.sizeBytes) + wireTimeMs(outstandingBytes + 64, state.baudRate);
      const reply = await link.receive(OP.SPI_FLASH_MD5, { what, timeoutMs, payloadBytes });
      const digest = decodeMd5Payload(reply.payload, state.stub);
      if (!digest) throw protocolError(what, `malformed digest reply (${reply.payload.length} bytes)`);
      outstandingBytes -= wireBytes[results.length] as number;
      results.push(digest);
    }
  } catch (err) {
    // Replies to requests still in flight would otherwise be read as answers to the next command.
    if (sent > results.length) await link.drain();
    throw err;
  }
  return results;
}

/** Digest of one range. */
export async function flashMd5(session: Session, addr: number, sizeBytes: number): Promise<Uint8Array> {
  const [digest] = await flashMd5Many(session, [{ addr, sizeBytes }]);
  return digest as Uint8Array;
}

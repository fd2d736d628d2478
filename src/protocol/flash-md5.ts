/**
 * Flash digests computed by the chip (SPI_FLASH_MD5, PROTOCOL.md §2), through `exchangeAll`:
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
 */
import { hex32 } from "../errors.js";
import { md5PayloadBytes, decodeMd5Payload } from "./md5-reply.js";
import { OP } from "./opcodes.js";
import { exchangeAll } from "./pipeline.js";
import { protocolError, secureDownloadModeError } from "./protocol-errors.js";
import type { Session } from "./session.js";
import { md5TimeoutMs } from "./timeouts.js";
import { u32le } from "./words.js";

/** A flash range to digest. */
export interface Md5Range {
  readonly addr: number;
  readonly sizeBytes: number;
}

function describe(range: Md5Range): string {
  return `SPI_FLASH_MD5 at ${hex32(range.addr)} (${range.sizeBytes} bytes)`;
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
  const payloadBytes = md5PayloadBytes(state.stub);
  const replies = await exchangeAll(
    link,
    session.loader,
    ranges.map((r) => ({ op: OP.SPI_FLASH_MD5, data: u32le(r.addr, r.sizeBytes, 0, 0), what: describe(r), timeoutMs: md5TimeoutMs(session.timeouts, r.sizeBytes), payloadBytes })),
  );
  return replies.map((reply, i) => {
    const digest = decodeMd5Payload(reply.payload, state.stub);
    if (!digest) throw protocolError(describe(ranges[i] as Md5Range), `malformed digest reply (${reply.payload.length} bytes)`);
    return digest;
  });
}

/** Digest of one range. */
export async function flashMd5(session: Session, addr: number, sizeBytes: number): Promise<Uint8Array> {
  const [digest] = await flashMd5Many(session, [{ addr, sizeBytes }]);
  return digest as Uint8Array;
}

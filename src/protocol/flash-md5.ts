/**
 * Flash digests computed by the chip (SPI_FLASH_MD5, PROTOCOL.md §2), one at a time or pipelined.
 *
 * Pipelining: several requests are written before the first reply is read, so the chip starts the
 * next digest as soon as it has sent a reply instead of waiting a host round trip (1–several ms
 * over USB-UART bridges). Requests go out through `CommandLink.send`, which does not flush the
 * input buffer as esptool-js's `command()` does (that would discard replies already received).
 * Replies carry the same opcode and come back in request order.
 */
import { hex32 } from "../errors.js";
import { md5PayloadBytes, decodeMd5Payload } from "./md5-reply.js";
import { OP } from "./opcodes.js";
import { protocolError, secureDownloadModeError } from "./protocol-errors.js";
import type { Session } from "./session.js";
import { md5TimeoutMs, wireTimeMs } from "./timeouts.js";
import { u32le } from "./words.js";

/**
 * Default bound on outstanding MD5 requests with the stub. A request is 24 bytes, 26 on the wire
 * with the SLIP delimiters (addresses and sizes rarely need escapes), so 4 outstanding requests
 * are ~104 bytes: they fit in the 128-byte UART receive FIFO of every ESP32-family chip even if
 * the stub did not drain the UART at all while hashing. More in flight gains nothing: once one
 * request is always queued behind the running digest, the chip never waits for the host.
 */
export const DEFAULT_MD5_IN_FLIGHT = 4;

/** A flash range to digest. */
export interface Md5Range {
  readonly addr: number;
  readonly sizeBytes: number;
}

function describe(range: Md5Range): string {
  return `SPI_FLASH_MD5 at ${hex32(range.addr)} (${range.sizeBytes} bytes)`;
}

/**
 * Digests of `ranges`, in order. With the ROM one request at a time (its loader reads commands
 * straight from the UART FIFO); with the stub up to `session.md5InFlight` outstanding.
 */
export async function flashMd5Many(session: Session, ranges: readonly Md5Range[]): Promise<Uint8Array[]> {
  const { link, state } = session;
  if (state.secureDownloadMode) {
    throw secureDownloadModeError("reading flash digests", "the ROM refuses SPI_FLASH_MD5, and delta flashing needs the chip's digests; only full writes are possible");
  }
  const inFlight = state.stub ? Math.max(1, session.md5InFlight) : 1;
  const payloadBytes = md5PayloadBytes(state.stub);
  const results: Uint8Array[] = [];
  let sent = 0;
  session.loader.transport.flushInput();
  try {
    while (results.length < ranges.length) {
      while (sent < ranges.length && sent - results.length < inFlight) {
        const r = ranges[sent] as Md5Range;
        await link.send(OP.SPI_FLASH_MD5, u32le(r.addr, r.sizeBytes, 0, 0), describe(r));
        sent++;
      }
      const range = ranges[results.length] as Md5Range;
      const what = describe(range);
      // The chip starts this digest once it sent the previous reply: time it from there.
      const timeoutMs = md5TimeoutMs(session.timeouts, range.sizeBytes) + wireTimeMs(64 * inFlight, state.baudRate);
      const reply = await link.receive(OP.SPI_FLASH_MD5, { what, timeoutMs, payloadBytes });
      const digest = decodeMd5Payload(reply.payload, state.stub);
      if (!digest) throw protocolError(what, `malformed digest reply (${reply.payload.length} bytes)`);
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

/**
 * Reading flash (PROTOCOL.md §2.4). With the stub: READ_FLASH streaming, done here because
 * esptool-js's `readFlash` copies its whole buffer for every packet and never reads the final MD5
 * frame (leaving it for the next command to trip over). Here each packet goes into one
 * preallocated buffer, is acknowledged with the running total, and the closing 16-byte MD5 frame
 * is read and checked, so the line is clean afterwards. With the ROM: READ_FLASH_SLOW in 64-byte
 * steps (the ROM has no streaming read).
 *
 * A read that can be stopped (`shouldStop`) streams in parts and asks before each: one 64 KiB block
 * (0.7 s at 921600 baud) on a local port, more where the link's round trip is long, so that each
 * part's READ_FLASH costs at most 5 % of it (util/part-size.ts).
 *
 * Either way the bytes are then checked against one SPI_FLASH_MD5 of the requested range: READ_FLASH's
 * own closing digest covers what the stub sent, not where it read it from, and no request carries a
 * checksum (§1.7 covers only *_DATA), so a bit flipped in the request's address would otherwise
 * return another range's bytes without any error.
 */
import { createHash } from "node:crypto";
import { hex32, ReadInterruptedError } from "../errors.js";
import { partBytes } from "../util/part-size.js";
import type { ByteProgress, ReadOptions } from "./device.js";
import { digestHex } from "./md5-reply.js";
import { flashMd5 } from "./flash-md5.js";
import { OP } from "./opcodes.js";
import { protocolError, secureDownloadModeError } from "./protocol-errors.js";
import type { Session } from "./session.js";
import { readPacketTimeoutMs } from "./timeouts.js";
import { u32le } from "./words.js";

/** READ_FLASH packet size: the largest both stubs accept (§2.4). */
export const READ_PACKET_BYTES = 0x1000;
/** Packets the stub may send ahead of our acknowledgements (esptool.py's value; the new stub uses 1). */
export const READ_MAX_IN_FLIGHT = 64;
/** READ_FLASH_SLOW returns 64 bytes per request (§2). */
export const READ_SLOW_BYTES = 64;

/** Reads `[addr, addr + sizeBytes)`; stops between parts once `options.shouldStop()` says so. */
export async function flashRead(session: Session, addr: number, sizeBytes: number, onProgress?: ByteProgress, options: ReadOptions = {}): Promise<Uint8Array> {
  if (session.state.secureDownloadMode) throw secureDownloadModeError(`reading flash at ${hex32(addr)}`, "the ROM refuses every read command");
  if (sizeBytes <= 0) return new Uint8Array(0);
  const stop = options.shouldStop;
  const data = session.state.stub ? await readStreamingParts(session, addr, sizeBytes, onProgress, stop) : await readSlow(session, addr, sizeBytes, onProgress, stop);
  const chip = await flashMd5(session, addr, sizeBytes);
  const got = createHash("md5").update(data).digest();
  if (!got.equals(chip)) {
    throw protocolError(
      `read of ${sizeBytes} bytes at ${hex32(addr)}`,
      `the bytes received (MD5 ${digestHex(got)}) differ from the chip's digest of that range (MD5 ${digestHex(chip)}); a request or reply was corrupted on the way`,
    );
  }
  return data;
}

/** The read's parts: one stream, or 64 KiB streams with a stop check before each. */
async function readStreamingParts(session: Session, addr: number, sizeBytes: number, onProgress: ByteProgress | undefined, shouldStop: (() => boolean) | undefined): Promise<Uint8Array> {
  if (shouldStop === undefined) return readStreaming(session, addr, sizeBytes, onProgress);
  const out = new Uint8Array(sizeBytes);
  // A UART byte is 10 bits on the wire.
  const part = partBytes(session.link.roundTrips.medianS(), session.state.baudRate / 10);
  for (let off = 0; off < sizeBytes; off += part) {
    if (shouldStop()) throw interrupted(addr, sizeBytes, off);
    const n = Math.min(part, sizeBytes - off);
    out.set(await readStreaming(session, addr + off, n, (done) => onProgress?.(off + done, sizeBytes)), off);
  }
  return out;
}

function interrupted(addr: number, sizeBytes: number, readBytes: number): ReadInterruptedError {
  return new ReadInterruptedError(`read of ${sizeBytes} bytes at ${hex32(addr)} stopped at ${hex32(addr + readBytes)}, as asked`, readBytes, {
    hint: "Run the same read again to get the whole range.",
  });
}

async function readStreaming(session: Session, addr: number, sizeBytes: number, onProgress?: ByteProgress): Promise<Uint8Array> {
  const { link, state, timeouts } = session;
  const what = `READ_FLASH at ${hex32(addr)} (${sizeBytes} bytes)`;
  await link.command(OP.READ_FLASH, u32le(addr, sizeBytes, READ_PACKET_BYTES, READ_MAX_IN_FLIGHT), { what, timeoutMs: timeouts.defaultMs });
  const out = new Uint8Array(sizeBytes);
  const packetTimeoutMs = readPacketTimeoutMs(timeouts, READ_PACKET_BYTES, state.baudRate);
  let received = 0;
  try {
    while (received < sizeBytes) {
      const packet = await link.readFrame(packetTimeoutMs, `${what}: data at ${hex32(addr + received)}`);
      if (packet.length === 0) continue; // an empty frame (`C0 C0`) carries nothing
      if (packet.length > sizeBytes - received) {
        throw protocolError(what, `the chip sent ${packet.length} bytes at offset ${received}, only ${sizeBytes - received} were left`);
      }
      out.set(packet, received);
      received += packet.length;
      await link.sendFrame(u32le(received), what);
      onProgress?.(received, sizeBytes);
    }
    const digest = await link.readFrame(packetTimeoutMs, `${what}: final MD5`);
    const expected = createHash("md5").update(out).digest();
    if (digest.length !== 16) throw protocolError(what, `the final digest frame has ${digest.length} bytes, expected 16`);
    if (!expected.equals(digest)) {
      throw protocolError(what, `the data received (MD5 ${digestHex(expected)}) differs from what the chip sent (MD5 ${digestHex(digest)})`);
    }
  } catch (err) {
    // The stub may still be streaming: wait for silence so the next command starts clean.
    await link.drain();
    throw err;
  }
  return out;
}

async function readSlow(session: Session, addr: number, sizeBytes: number, onProgress?: ByteProgress, shouldStop?: () => boolean): Promise<Uint8Array> {
  const { link, state, timeouts } = session;
  const out = new Uint8Array(sizeBytes);
  const timeoutMs = readPacketTimeoutMs(timeouts, READ_SLOW_BYTES, state.baudRate);
  for (let off = 0; off < sizeBytes; off += READ_SLOW_BYTES) {
    if (shouldStop?.() === true) throw interrupted(addr, sizeBytes, off);
    const n = Math.min(READ_SLOW_BYTES, sizeBytes - off);
    const what = `READ_FLASH_SLOW at ${hex32(addr + off)} (${n} bytes)`;
    // The reply always carries 64 data bytes, whatever length was asked for (§2).
    const reply = await link.command(OP.READ_FLASH_SLOW, u32le(addr + off, n), { what, timeoutMs, payloadBytes: READ_SLOW_BYTES });
    out.set(reply.payload.subarray(0, n), off);
    onProgress?.(off + n, sizeBytes);
  }
  return out;
}

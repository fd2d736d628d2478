/**
 * Writing flash through FLASH_BEGIN/DATA/END or FLASH_DEFL_BEGIN/DATA/END (PROTOCOL.md §2.2,
 * §2.3, §5.2), done here instead of esptool-js's `writeFlash` because of its defects:
 * - ROM-only sessions: esptool-js uses 0x4000 blocks (real ROMs refuse anything above 0x1800) and
 *   sends a 20-byte FLASH_BEGIN to the ESP32 ROM (which takes exactly 16). Here the ROM gets 0x400
 *   blocks, 16 bytes on ESP32 and 20 on every later chip, and no FLASH_END (flag 1 would make the
 *   ROM leave download mode, §11).
 * - Flat 3 s block timeouts: here each block's timeout scales with the flash it erases and
 *   programs, and with the previous block's work, which the stub finishes before acknowledging.
 * - Blind retries: a block is sent again only when the chip said its checksum was wrong (nothing
 *   was accepted); a lost acknowledgement is not retried, because a block the chip did take would
 *   then be refused (ROM sequence check) or corrupt the inflate stream (stub).
 */
import { deflateSync } from "node:zlib";
import { hex32, RomError } from "../errors.js";
import { requireSectorAligned } from "../util/sector-alignment.js";
import type { WriteOptions, WriteStats } from "./device.js";
import { dataBlockLimit } from "./chip-port.js";
import { inflatedBlockSizes } from "./inflated-sizes.js";
import { OP } from "./opcodes.js";
import { interruptedError, translateError, usageError } from "./protocol-errors.js";
import type { Session } from "./session.js";
import { CHECKSUM_FAILURE } from "./status-table.js";
import { blockAckTimeoutMs, eraseTimeoutMs, type BlockWork } from "./timeouts.js";
import { dataChecksum, u32le } from "./words.js";

/** Block sizes: the stub's 16 KiB buffer, the size esptool.py uses with the ROM (§5.2). */
export const WRITE_BLOCK_BYTES = { stub: 0x4000, rom: 0x1000 } as const;

/** Attempts per block when the chip reports a checksum error. */
export const BLOCK_ATTEMPTS = 3;

/** One data packet to send. */
interface Block {
  readonly data: Uint8Array;
  readonly work: BlockWork;
}

function padTo(data: Uint8Array, multiple: number, fill = 0xff): Uint8Array {
  if (data.length % multiple === 0) return data;
  const out = new Uint8Array(Math.ceil(data.length / multiple) * multiple).fill(fill);
  out.set(data);
  return out;
}

/** Words of a (DEFL_)BEGIN request: the ESP32 ROM takes 4 words, later ROMs and the stub 5 (§2.2). */
function beginPayload(session: Session, sizeField: number, blocks: number, blockBytes: number, addr: number): Uint8Array {
  const words = [sizeField, blocks, blockBytes, addr];
  if (session.state.stub || session.chip !== "esp32") words.push(0); // 5th word: not encrypted
  return u32le(...words);
}

async function splitBlocks(session: Session, addr: number, data: Uint8Array, compressed: Uint8Array | undefined, blockBytes: number): Promise<Block[]> {
  const stub = session.state.stub;
  const blocks: Block[] = [];
  if (compressed) {
    const sizes = await inflatedBlockSizes(compressed, blockBytes).catch((err: unknown) => {
      throw usageError("USAGE", `the compressed data for ${hex32(addr)} is not a valid zlib stream (${String(err)})`, "Compress the data with node:zlib deflate.");
    });
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== data.length) {
      throw usageError("USAGE", `the compressed data for ${hex32(addr)} inflates to ${total} bytes, not ${data.length}`, "Pass the zlib stream of exactly the bytes to write.");
    }
    let at = addr;
    sizes.forEach((size, i) => {
      blocks.push({ data: compressed.subarray(i * blockBytes, (i + 1) * blockBytes), work: { addr: at, programBytes: size, erases: true } });
      at += size;
    });
    return blocks;
  }
  for (let off = 0; off < data.length; off += blockBytes) {
    const chunk = data.subarray(off, Math.min(off + blockBytes, data.length));
    // The ROM writes whole blocks (pads with 0xFF, §5.2); the stub clips to the announced size.
    blocks.push({ data: stub ? chunk : padTo(chunk, blockBytes), work: { addr: addr + off, programBytes: chunk.length, erases: stub } });
  }
  return blocks;
}

/** Writes `data` at `addr` (4 KiB aligned). See the module comment for the protocol details. */
export async function flashWrite(session: Session, addr: number, input: Uint8Array, options: WriteOptions = {}): Promise<WriteStats> {
  const { link, state, timeouts } = session;
  requireSectorAligned(addr, "write address");
  if (input.length === 0) return { writtenBytes: 0, sentBytes: 0, compressed: false };
  // Hosts pad data to a 4-byte multiple (§5.2); the compressed stream must describe the same bytes.
  const data = padTo(input, 4);
  // Compressed only through the stub: see `SecurityMode.compressed` in the engine for why the ROM
  // gets plain writes (Secure Download Mode refuses FLASH_DEFL_*; the ESP32 ROM writes past the data).
  let compressed = state.stub ? options.compressed : undefined;
  if (compressed && data !== input) compressed = deflateSync(data, { level: 9 });
  const stub = state.stub;
  // Over USB-OTG the ROM and the stub take no more than USB_RAM_BLOCK per data packet (chip-port.ts).
  const blockBytes = Math.min(stub ? WRITE_BLOCK_BYTES.stub : WRITE_BLOCK_BYTES.rom, dataBlockLimit(session.chipPort) ?? Infinity);
  const blocks = await splitBlocks(session, addr, data, compressed, blockBytes);
  const what = `write of ${data.length} bytes at ${hex32(addr)}`;

  const [beginOp, dataOp, endOp] = compressed
    ? [OP.FLASH_DEFL_BEGIN, OP.FLASH_DEFL_DATA, OP.FLASH_DEFL_END]
    : [OP.FLASH_BEGIN, OP.FLASH_DATA, OP.FLASH_END];
  const sizeField = data.length;
  // The ROM erases the whole region at BEGIN; the stub erases lazily while writing.
  const beginTimeoutMs = stub ? timeouts.defaultMs : eraseTimeoutMs(timeouts, addr, data.length);
  await link.command(beginOp, beginPayload(session, sizeField, blocks.length, blockBytes, addr), { what: `${what}: begin`, timeoutMs: beginTimeoutMs });

  let writtenBytes = 0;
  let sentBytes = 0;
  for (let seq = 0; seq < blocks.length; seq++) {
    if (options.shouldStop?.()) throw interruptedError(addr, Math.min(writtenBytes, input.length), input.length);
    const block = blocks[seq] as Block;
    const previous = seq > 0 && stub ? blocks[seq - 1]?.work : undefined;
    const timeoutMs = blockAckTimeoutMs(timeouts, block.data.length + 32, state.baudRate, block.work, previous);
    const payload = new Uint8Array(16 + block.data.length);
    payload.set(u32le(block.data.length, seq, 0, 0));
    payload.set(block.data, 16);
    const blockWhat = `${what}: block ${seq + 1}/${blocks.length} at ${hex32(block.work.addr)}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await link.command(dataOp, payload, { what: blockWhat, timeoutMs, checksum: dataChecksum(block.data) });
        break;
      } catch (err) {
        const badChecksum = err instanceof RomError && err.status === (stub ? CHECKSUM_FAILURE.stub : CHECKSUM_FAILURE.rom);
        if (!badChecksum || attempt >= BLOCK_ATTEMPTS) throw translateError(err, link.context(blockWhat, timeoutMs));
        session.log(`Block ${seq + 1} at ${hex32(block.work.addr)} arrived corrupted; sending it again (attempt ${attempt + 1}/${BLOCK_ATTEMPTS}).`);
      }
    }
    sentBytes += block.data.length;
    writtenBytes += block.work.programBytes;
    options.onProgress?.(Math.min(writtenBytes, input.length), input.length);
  }
  if (stub) {
    // Flag 1: stay in the loader. The reply waits for the last deferred write (§2.2).
    const last = blocks[blocks.length - 1]?.work;
    const endTimeoutMs = blockAckTimeoutMs(timeouts, 16, state.baudRate, last ?? { addr, programBytes: 0, erases: false });
    await link.command(endOp, u32le(1), { what: `${what}: end`, timeoutMs: endTimeoutMs });
  }
  return { writtenBytes: input.length, sentBytes, compressed: compressed !== undefined };
}

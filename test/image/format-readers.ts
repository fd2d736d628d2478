/**
 * Readers of the merged-file formats, written from the formats' descriptions and independent of the
 * writers under test: Intel HEX (record types 00 data, 01 end of file, 02 extended segment address,
 * 04 extended linear address; 03/05 start addresses ignored; every checksum checked) and UF2
 * (github.com/microsoft/uf2 README: 512-byte blocks, two start magics, flags, target address, payload
 * size, block number, block count, family id, 476 data bytes, end magic).
 */
import { createHash } from "node:crypto";

/** Bytes at a flash address. */
export interface Chunk {
  readonly addr: number;
  readonly bytes: Uint8Array;
}

/** Every data byte of an Intel HEX text by address, in record order; throws on a malformed record. */
export function readIntelHex(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let base = 0;
  let ended = false;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "") continue;
    if (ended) throw new Error(`line ${index + 1}: data after the end-of-file record`);
    if (!/^:([0-9A-F]{2})+$/i.test(line)) throw new Error(`line ${index + 1}: not a record: ${line}`);
    const bytes = Buffer.from(line.slice(1), "hex");
    const count = bytes[0] as number;
    if (bytes.length !== count + 5) throw new Error(`line ${index + 1}: length byte ${count} does not match the record`);
    if (bytes.reduce((sum, b) => sum + b, 0) % 256 !== 0) throw new Error(`line ${index + 1}: bad checksum`);
    const offset = ((bytes[1] as number) << 8) | (bytes[2] as number);
    const type = bytes[3] as number;
    const data = bytes.subarray(4, 4 + count);
    if (type === 0x00) chunks.push({ addr: base + offset, bytes: Uint8Array.from(data) });
    else if (type === 0x01) ended = true;
    else if (type === 0x02) base = (((data[0] as number) << 8) | (data[1] as number)) * 16;
    else if (type === 0x04) base = (((data[0] as number) << 8) | (data[1] as number)) * 0x10000;
    else if (type !== 0x03 && type !== 0x05) throw new Error(`line ${index + 1}: unknown record type ${type}`);
  }
  if (!ended) throw new Error("no end-of-file record");
  return chunks;
}

/** One UF2 block as the format describes it. */
export interface Uf2Block {
  readonly flags: number;
  readonly targetAddr: number;
  readonly payloadSize: number;
  readonly blockNo: number;
  readonly numBlocks: number;
  /** Family id (flag 0x2000), or the file size / zero field. */
  readonly familyId: number;
  /** The payload: data[0 … payloadSize). */
  readonly payload: Uint8Array;
  /** All 476 data bytes. */
  readonly data: Uint8Array;
}

/** The blocks of a UF2 file; throws on a bad length or magic. */
export function readUf2(file: Uint8Array): Uf2Block[] {
  if (file.length % 512 !== 0) throw new Error(`UF2 file of ${file.length} bytes is not a whole number of 512-byte blocks`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const blocks: Uf2Block[] = [];
  for (let at = 0; at < file.length; at += 512) {
    const u32 = (offset: number): number => view.getUint32(at + offset, true);
    if (u32(0) !== 0x0a324655 || u32(4) !== 0x9e5d5157 || u32(508) !== 0x0ab16f30) throw new Error(`block ${at / 512}: bad magic`);
    const payloadSize = u32(16);
    if (payloadSize > 476) throw new Error(`block ${at / 512}: payload of ${payloadSize} bytes`);
    const data = file.subarray(at + 32, at + 508);
    blocks.push({ flags: u32(8), targetAddr: u32(12), payloadSize, blockNo: u32(20), numBlocks: u32(24), familyId: u32(28), payload: data.subarray(0, payloadSize), data });
  }
  return blocks;
}

/** The payloads of the blocks meant for main flash (flag 0x1 clear) by address. */
export function uf2Chunks(blocks: readonly Uf2Block[]): Chunk[] {
  return blocks.filter((b) => (b.flags & 0x1) === 0).map((b) => ({ addr: b.targetAddr, bytes: b.payload }));
}

/** `chunks` laid out from `start` to `end` over 0xFF (erased flash); throws when two chunks overlap. */
export function flatten(chunks: readonly Chunk[], start: number, end: number): Buffer {
  const out = Buffer.alloc(end - start, 0xff);
  const written = new Uint8Array(end - start);
  for (const c of chunks) {
    for (let i = 0; i < c.bytes.length; i++) {
      const at = c.addr - start + i;
      if (at < 0 || at >= out.length) throw new Error(`byte at 0x${(c.addr + i).toString(16)} is outside the range`);
      if (written[at] === 1) throw new Error(`byte at 0x${(c.addr + i).toString(16)} written twice`);
      written[at] = 1;
      out[at] = c.bytes[i] as number;
    }
  }
  return out;
}

/** MD5 of `bytes` (hex). */
export function md5Hex(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

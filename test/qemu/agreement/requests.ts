/**
 * Request packets built by hand from PROTOCOL.md §1.2 and §2 (independent of the simulator and of
 * esptool-js), for the agreement tests.
 */

/** Opcodes used by the agreement cases (PROTOCOL.md §2). */
export const OP = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  READ_FLASH_SLOW: 0x0e,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  GET_SECURITY_INFO: 0x14,
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
  READ_FLASH: 0xd2,
  RUN_USER_CODE: 0xd3,
} as const;

/** Little-endian u32 words. */
export function words(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  values.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
  return out;
}

/** XOR checksum seeded with 0xEF (§1.7). */
export function checksum(data: Uint8Array): number {
  let c = 0xef;
  for (const b of data) c ^= b;
  return c;
}

/** Options of a hand-made request: a wrong direction byte or size field on purpose. */
export interface RequestOptions {
  readonly checksum?: number;
  readonly direction?: number;
  /** The header's size field; defaults to the data length. */
  readonly sizeField?: number;
}

/** A request packet `direction op size checksum data` (§1.2). */
export function request(op: number, data: Uint8Array = new Uint8Array(0), opts: RequestOptions = {}): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, opts.direction ?? 0);
  v.setUint8(1, op);
  v.setUint16(2, opts.sizeField ?? data.length, true);
  v.setUint32(4, (opts.checksum ?? 0) >>> 0, true);
  out.set(data, 8);
  return out;
}

/** The 36-byte SYNC payload (§2.1). */
export const SYNC_DATA = Uint8Array.from([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);

/** READ_REG of `addr`. */
export function readReg(addr: number): Uint8Array {
  return request(OP.READ_REG, words(addr));
}

/** SPI_FLASH_MD5 of `size` bytes at `addr`. */
export function flashMd5(addr: number, size: number): Uint8Array {
  return request(OP.SPI_FLASH_MD5, words(addr, size, 0, 0));
}

/** A *_DATA packet: `[len, seq, 0, 0] + data` with the data checksum (or a given one). */
export function dataPacket(op: number, seq: number, data: Uint8Array, opts: { lenField?: number; checksum?: number } = {}): Uint8Array {
  const body = new Uint8Array(16 + data.length);
  body.set(words(opts.lenField ?? data.length, seq, 0, 0));
  body.set(data, 16);
  return request(op, body, { checksum: opts.checksum ?? checksum(data) });
}

/** `n` bytes of `value`. */
export function filled(n: number, value: number): Uint8Array {
  return new Uint8Array(n).fill(value);
}

/** Deterministic bytes that compress a little (for deflate cases). */
export function patterned(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * seed + (i >> 8)) & 0xff;
  return out;
}

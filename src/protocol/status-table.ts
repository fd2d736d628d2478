/**
 * What the failure status of a reply means (PROTOCOL.md §1.4, §1.5). The ROM answers with
 * `[status, error, x, x]` (status 1 = failure, judge by the first byte only, §11); the stub answers
 * with a big-endian 16-bit code whose first byte is the error.
 */

/** ROM error byte → meaning, PROTOCOL.md §1.5. */
export const ROM_STATUS = {
  0x00: "undefined error",
  0x01: "invalid input parameter",
  0x02: "malloc failed",
  0x03: "send message failed",
  0x04: "receive message failed",
  0x05: "received message format invalid (or command not supported)",
  0x06: "message OK but the result is wrong (refused)",
  0x07: "checksum error",
  0x08: "flash write error (read-back mismatch)",
  0x09: "flash read error",
  0x0a: "flash read length error",
  0x0b: "deflate failed",
  0x0c: "deflate Adler32 error",
  0x0d: "deflate parameter error",
  0x0e: "invalid RAM binary size",
  0x0f: "invalid RAM binary address",
  0x64: "invalid parameter",
  0x65: "invalid format",
  0x66: "description too long",
  0x67: "bad encoding",
  0x69: "insufficient storage",
} as const satisfies Record<number, string>;

/** Stub error code (first status byte) → name and meaning, PROTOCOL.md §1.5. */
export const STUB_STATUS = {
  0xc0: "BAD_DATA_LEN: wrong payload size or data still missing",
  0xc1: "BAD_DATA_CHECKSUM: data checksum mismatch",
  0xc2: "BAD_BLOCKSIZE: block size too large",
  0xc3: "INVALID_COMMAND: unknown command",
  0xc4: "FAILED_SPI_OP: flash read/write/erase failed",
  0xc5: "FAILED_SPI_UNLOCK: could not unlock the flash",
  0xc6: "NOT_IN_FLASH_MODE: data without a preceding begin",
  0xc7: "INFLATE_ERROR: compressed data is invalid",
  0xc8: "NOT_ENOUGH_DATA: fewer bytes than announced",
  0xc9: "TOO_MUCH_DATA: more bytes than announced",
  0xca: "NAND program failed",
  0xcb: "NAND erase failed",
  0xff: "CMD_NOT_IMPLEMENTED: command not implemented",
  0x32: "erase region not aligned",
  0x33: "erase region not aligned",
  0x34: "flash unlock failed",
  0x35: "flash erase failed",
  0x36: "flash erase failed",
  0x37: "flash erase failed",
  0x63: "flash read failed while computing MD5",
} as const satisfies Record<number, string>;

/** Status values meaning "the data block did not arrive intact; sending it again is safe". */
export const CHECKSUM_FAILURE = { rom: 0x07, stub: 0xc100 } as const;

/**
 * The raw status to report for a failed reply: the ROM's error byte, or the stub's 16-bit code.
 * `bytes` are the two status bytes (first = failure flag / stub code).
 */
export function statusValue(bytes: readonly [number, number], stub: boolean): number {
  return stub ? ((bytes[0] << 8) | bytes[1]) >>> 0 : bytes[1];
}

/** Human meaning of a failure status (see {@link statusValue}). */
export function describeStatus(status: number, stub: boolean): string {
  if (stub) {
    const code = (status >> 8) & 0xff;
    const text = (STUB_STATUS as Record<number, string>)[code];
    return `stub status 0x${status.toString(16).padStart(4, "0")}${text ? ` (${text})` : ""}`;
  }
  const text = (ROM_STATUS as Record<number, string>)[status];
  return `ROM error 0x${status.toString(16).padStart(2, "0")}${text ? ` (${text})` : ""}`;
}

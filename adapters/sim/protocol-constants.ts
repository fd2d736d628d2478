/**
 * Opcodes, status codes and limits of the ROM loader and flasher stub, as the simulator implements
 * them. Every value is taken from PROTOCOL.md (sections cited per table).
 */

/** Command opcodes, PROTOCOL.md §2. */
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
  FLASH_ENCRYPT_DATA: 0xd4,
} as const;

/** Name of an opcode in {@link OP}. */
export type OpName = keyof typeof OP;

/** Opcode → name, for counters and the operation log; unknown opcodes are named `OP_0xNN`. */
export function opName(op: number): string {
  for (const [name, value] of Object.entries(OP)) if (value === op) return name;
  return `OP_0x${op.toString(16).padStart(2, "0")}`;
}

/** ROM error byte (sent after status 1), PROTOCOL.md §1.5. */
export const ROM_ERR = {
  INVALID_PARAM: 0x01,
  BAD_FORMAT: 0x05, // also "unsupported command", §1.6
  RESULT_WRONG: 0x06,
  CHECKSUM: 0x07,
  FLASH_WRITE: 0x08,
  FLASH_READ: 0x09,
  READ_LENGTH: 0x0a,
  DEFLATE: 0x0b,
} as const;

/** Stub status codes (first status byte, big-endian `0xNN00`), PROTOCOL.md §1.5. */
export const STUB_ERR = {
  BAD_DATA_LEN: 0xc0,
  BAD_DATA_CHECKSUM: 0xc1,
  INVALID_COMMAND: 0xc3,
  FAILED_SPI_OP: 0xc4,
  NOT_IN_FLASH_MODE: 0xc6,
  INFLATE_ERROR: 0xc7,
  NOT_ENOUGH_DATA: 0xc8,
  TOO_MUCH_DATA: 0xc9,
  CMD_NOT_IMPLEMENTED: 0xff,
} as const;

/** Numeric limits and magic values of the protocol. */
export const PROTO = {
  /** SYNC reply value of the ROM, §2.1 and §11. */
  ROM_SYNC_VALUE: 0x20120707,
  /** Replies per SYNC, §2.1. */
  SYNC_REPLIES: 8,
  /** Largest FLASH_BEGIN block size the ROMs accept, §2.2 and §11. */
  ROM_MAX_FLASH_BLOCK: 0x1800,
  /** Seed of the XOR data checksum, §1.7. */
  CHECKSUM_SEED: 0xef,
  /** Largest READ_FLASH packet the stub accepts, §2.4. */
  STUB_MAX_READ_PACKET: 0x1000,
  /** READ_FLASH_SLOW always returns this many data bytes, §2. */
  READ_FLASH_SLOW_BYTES: 64,
  /** The stub's hello frame after MEM_END, §2.5. */
  OHAI: Uint8Array.from([0x4f, 0x48, 0x41, 0x49]),
  /** CMD register "user command" bit of the SPI engine, §3.4. */
  SPI_CMD_USR: 1 << 18,
  /** Flash geometry, §5.1. */
  SECTOR_BYTES: 0x1000,
  BLOCK_BYTES: 0x10000,
  PAGE_BYTES: 0x100,
} as const;

/** XOR checksum of data blocks (§1.7). */
export function dataChecksum(data: Uint8Array): number {
  let c: number = PROTO.CHECKSUM_SEED;
  for (const b of data) c ^= b;
  return c;
}

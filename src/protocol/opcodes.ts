/**
 * Command opcodes of the ROM loader and the flasher stub (PROTOCOL.md §2), and the names the
 * trace output and error messages use for them.
 */

/** Opcodes, PROTOCOL.md §2. */
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

/** Name of an opcode. */
export type OpName = keyof typeof OP;

const NAMES = new Map<number, string>(Object.entries(OP).map(([name, op]) => [op, name]));

/** `READ_REG` for 0x0a; `OP_0x42` for opcodes this table does not know. */
export function opName(op: number): string {
  return NAMES.get(op) ?? `OP_0x${op.toString(16).padStart(2, "0")}`;
}

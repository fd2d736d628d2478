/**
 * The SPI controller's "user command" engine (PROTOCOL.md §3.4): hosts read the flash JEDEC id and
 * SFDP table by programming USR/USR1/USR2/ADDR/W0 with WRITE_REG and setting CMD bit 18.
 */
import type { SpiLayout } from "./chip-table.js";
import type { FlashModel } from "./flash-model.js";
import { PROTO } from "./protocol-constants.js";

/** JEDEC identity of the simulated flash part (GigaDevice GD25Q, §3.4 example `0x1640C8`). */
export const FLASH_JEDEC = { manufacturer: 0xc8, memoryType: 0x40 } as const;

/** Capacity byte of RDID for a flash size: log2(bytes), the ladder in §3.4 (4 MiB → 0x16). */
export function capacityByte(sizeBytes: number): number {
  return Math.round(Math.log2(sizeBytes));
}

/** A minimal SFDP table: "SFDP" signature, one parameter header, byte 0x10 ≠ 0x20 (not XMC), §3.4. */
function sfdpByte(addr: number): number {
  const table = [0x53, 0x46, 0x44, 0x50, 0x06, 0x01, 0x00, 0xff, 0x00, 0x06, 0x01, 0x10, 0x30, 0x00, 0x00, 0xff];
  return table[addr] ?? 0xff;
}

/** Register access the engine needs. */
export interface RegisterAccess {
  read(addr: number): number;
  set(addr: number, value: number): void;
}

/**
 * Runs the command latched in USR2 against the flash when CMD bit 18 is written, puts the bytes it
 * reads into W0 (first byte clocked in = least significant), and clears the bit again.
 */
export function runSpiUserCommand(spi: SpiLayout, regs: RegisterAccess, flash: FlashModel): void {
  const reg = (off: number): number => regs.read(spi.base + off);
  const opcode = reg(spi.usr2) & 0xff;
  const usr = reg(spi.usr);
  const readBits = usr & (1 << 28) ? (reg(spi.misoDlen) & 0x3ffff) + 1 : 0;
  const addrBits = ((reg(spi.usr1) >>> 26) & 0x3f) + 1;
  const rawAddr = reg(0x04);
  const addr = spi.addrMsb ? (addrBits >= 32 ? rawAddr : rawAddr >>> (32 - addrBits)) : rawAddr & 0xffffff;
  const readBytes = Math.min(4, Math.ceil(readBits / 8));
  let bytes: number[] | undefined;
  switch (opcode) {
    case 0x9f: // RDID
      bytes = [FLASH_JEDEC.manufacturer, FLASH_JEDEC.memoryType, capacityByte(flash.sizeBytes)];
      break;
    case 0x5a: // RDSFDP
      bytes = [0, 1, 2, 3].map((i) => sfdpByte(addr + i));
      break;
    case 0x05:
    case 0x35:
    case 0x15: // status registers: never busy, no protection bits
      bytes = [0, 0, 0, 0];
      break;
    case 0x03: // READ DATA
      bytes = [0, 1, 2, 3].map((i) => (flash.inRange(addr + i, 1) ? (flash.bytes[addr + i] as number) : 0xff));
      break;
    default: // reset, write-enable, power and other no-data commands
      bytes = undefined;
  }
  if (bytes && readBytes > 0) {
    let w0 = 0;
    for (let i = 0; i < readBytes; i++) w0 |= (bytes[i] ?? 0) << (8 * i);
    if (readBits < 32) w0 &= (2 ** readBits - 1);
    regs.set(spi.base + spi.w0, w0 >>> 0);
  }
  regs.set(spi.base, reg(0) & ~PROTO.SPI_CMD_USR);
}

/**
 * A subset of the agreement cases for the ESP32-C3 (RISC-V ROM and its esp-flasher-stub build),
 * at 115200 baud (QEMU's C3 loses bytes at higher rates). The C3 ROM takes the 20-byte
 * FLASH_BEGIN and answers GET_SECURITY_INFO (PROTOCOL.md §11); the rest matches the ESP32.
 */
import { expect } from "vitest";
import { deflateSync } from "node:zlib";
import type { AgreementCaseSpec } from "./agreement-case.js";
import { dataPacket, filled, flashMd5, OP, readReg, request, SYNC_DATA, words } from "./requests.js";
import { each } from "./rom-cases.js";
import { slipFrame } from "./raw-link.js";

/** C3 registers the simulator and QEMU's C3 share: the magic word and eFuse block 1 word 3 (revision). */
const MAGIC = 0x40001000;
const EFUSE_RD_MAC_SPI_SYS_3 = 0x60008850;

/** ROM cases on the C3. */
export const C3_ROM_CASES: readonly AgreementCaseSpec[] = [
  {
    name: "C3 ROM: 4 READ_REGs in one write are all answered, in order",
    run: async (s) => {
      await s.exchange("4 x READ_REG", [readReg(MAGIC), readReg(EFUSE_RD_MAC_SPI_SYS_3), readReg(MAGIC), readReg(EFUSE_RD_MAC_SPI_SYS_3)], { count: 4 });
    },
    facts: (q) => expect(q.frames("4 x READ_REG")).toHaveLength(4),
  },
  {
    name: "C3 ROM: lengths, GET_SECURITY_INFO, unsupported opcodes and direction ≠ 0",
    run: (s) =>
      each(s, [
        ["READ_REG eFuse word", readReg(EFUSE_RD_MAC_SPI_SYS_3)],
        ["READ_REG 0 bytes", request(OP.READ_REG)],
        ["WRITE_REG 0 bytes", request(OP.WRITE_REG)],
        ["SPI_ATTACH 0 bytes", request(OP.SPI_ATTACH)],
        ["SPI_ATTACH 4 bytes", request(OP.SPI_ATTACH, words(0))],
        ["SPI_SET_PARAMS 20 bytes", request(OP.SPI_SET_PARAMS, words(0, 0x400000, 0x10000, 0x1000, 0x100))],
        ["SPI_SET_PARAMS 24 bytes", request(OP.SPI_SET_PARAMS, words(0, 0x400000, 0x10000, 0x1000, 0x100, 0xffff))],
        ["GET_SECURITY_INFO", request(OP.GET_SECURITY_INFO)],
        ["GET_SECURITY_INFO 4 bytes", request(OP.GET_SECURITY_INFO, words(0))],
        ["SPI_FLASH_MD5 12 bytes", request(OP.SPI_FLASH_MD5, words(0, 16, 0))],
        ["MD5 past the end", flashMd5(0x400000, 0x1000)],
        ["READ_FLASH_SLOW past the end", request(OP.READ_FLASH_SLOW, words(0x400000, 16))],
        ["ERASE_REGION", request(OP.ERASE_REGION, words(0, 0x1000))],
        ["READ_REG direction 1", request(OP.READ_REG, words(MAGIC), { direction: 1 })],
        ["SYNC 32 bytes", request(OP.SYNC, SYNC_DATA.subarray(0, 32)), 8],
        ["0x55 after SYNC", request(0x55), 8],
      ]),
  },
  {
    name: "C3 ROM: FLASH_BEGIN takes 20 bytes only, block ≤ 0x1800, 4 KiB aligned; FLASH_DATA at the write pointer",
    run: (s) =>
      each(s, [
        ["FLASH_BEGIN 16 bytes", request(OP.FLASH_BEGIN, words(0x1000, 1, 0x400, 0x10000))],
        ["FLASH_BEGIN block 0x1801", request(OP.FLASH_BEGIN, words(0x1000, 1, 0x1801, 0x10000, 0))],
        ["FLASH_BEGIN offset 0x10800", request(OP.FLASH_BEGIN, words(0x1000, 1, 0x400, 0x10800, 0))],
        ["FLASH_BEGIN 0x400 at 0x10000", request(OP.FLASH_BEGIN, words(0x400, 4, 0x100, 0x10000, 0))],
        ["seq 0, 0x80 bytes", dataPacket(OP.FLASH_DATA, 0, filled(0x80, 0x11))],
        ["seq 1, bad checksum", dataPacket(OP.FLASH_DATA, 1, filled(0x100, 0x22), { checksum: 0x99 })],
        ["seq 2", dataPacket(OP.FLASH_DATA, 2, filled(0x100, 0x22))],
        ["MD5 0x10000 1 KiB", flashMd5(0x10000, 0x400)],
      ]),
  },
];

/** Stub cases on the C3. */
export const C3_STUB_CASES: readonly AgreementCaseSpec[] = [
  {
    name: "C3 stub: 4 READ_REGs in one write → 1 reply; SPI_FLASH_MD5 + READ_REG → only the MD5",
    run: async (s) => {
      await s.exchange("4 x READ_REG", [readReg(MAGIC), readReg(EFUSE_RD_MAC_SPI_SYS_3), readReg(MAGIC), readReg(EFUSE_RD_MAC_SPI_SYS_3)], { settleMs: 400 });
      // Waits for the digest (slow under a loaded emulator: a quiet gap must not end the step before
      // it), then 800 ms more, in which a reply to the READ_REG would show.
      await s.exchange("MD5 + READ_REG", [flashMd5(0, 0x10000), readReg(MAGIC)], { count: 1, settleMs: 800, maxMs: 10_000 });
      await s.exchange("READ_REG", [readReg(MAGIC)]);
    },
    facts: (q) => {
      expect(q.frames("4 x READ_REG")).toHaveLength(1);
      expect(q.frames("MD5 + READ_REG")).toHaveLength(1);
    },
  },
  {
    name: "C3 stub: WRITE_REG 0 bytes C8, GET_SECURITY_INFO from the ROM, direction ≠ 0 C3, short frames, RUN_USER_CODE keeps running, ERASE_REGION wraps",
    run: async (s) => {
      await each(s, [
        ["WRITE_REG 0 bytes", request(OP.WRITE_REG)],
        ["GET_SECURITY_INFO", request(OP.GET_SECURITY_INFO)],
        ["READ_REG direction 1", request(OP.READ_REG, words(MAGIC), { direction: 1 })],
        ["FLASH_DATA 8-byte payload", request(OP.FLASH_DATA, words(4, 0))],
      ]);
      s.write(slipFrame(Uint8Array.of(0x00, 0x0a, 0x04)));
      await s.collect("3-byte frame", { count: 1 });
      await s.exchange("RUN_USER_CODE", [request(OP.RUN_USER_CODE)], { count: 0, quietMs: 400 });
      await each(s, [
        ["READ_REG", readReg(MAGIC)],
        ["FLASH_DEFL_BEGIN 4 KiB at 0", request(OP.FLASH_DEFL_BEGIN, words(0x1000, 1, 0x4000, 0, 0))],
        ["FLASH_DEFL_DATA 4 KiB of 5A", dataPacket(OP.FLASH_DEFL_DATA, 0, deflateSync(filled(0x1000, 0x5a)))],
        ["FLASH_DEFL_END", request(OP.FLASH_DEFL_END, words(1))],
        ["MD5 sector 0", flashMd5(0, 0x1000)],
        ["ERASE_REGION at 4 MiB", request(OP.ERASE_REGION, words(0x400000, 0x1000))],
        ["MD5 sector 0 after", flashMd5(0, 0x1000)],
      ]);
    },
  },
];

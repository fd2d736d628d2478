/**
 * Command-level behaviour of the real flasher stub (esp-flasher-stub `command_handler.c`, observed
 * on QEMU's ESP32 running the stub esptool-js 0.7.0 uploads): length checks and their codes,
 * commands whose errors surface on the *next* command (post-processing after the reply), flash
 * writes, READ_FLASH streaming, MEM_* through the stub and the stub's answers to odd frames.
 */
import { expect } from "vitest";
import { deflateSync } from "node:zlib";
import type { AgreementCaseSpec } from "./agreement-case.js";
import { checksum, dataPacket, filled, flashMd5, OP, readReg, request, SYNC_DATA, words } from "./requests.js";
import { handmadeZlib } from "../../adapters/sim/handmade-deflate.js";
import { slipFrame } from "./raw-link.js";
import type { Session } from "./transcript.js";

const MAGIC = 0x40001000;
const DRAM = 0x3ffe0000; // free DRAM for MEM_* through the stub
const FLASH_END_ADDR = 0x400000; // both chips have 4 MiB

/** Sends each packet alone and records its answers (one step per packet). */
async function each(s: Session, steps: readonly [string, Uint8Array, number?][]): Promise<void> {
  for (const [label, packet, count] of steps) await s.exchange(label, [packet], { count: count ?? 1, maxMs: 4000 });
}

/** Writes one raw SLIP frame of arbitrary bytes (too short to be a request). */
async function rawFrame(s: Session, label: string, bytes: number[]): Promise<void> {
  s.write(slipFrame(Uint8Array.from(bytes)));
  await s.collect(label, { count: 1, maxMs: 2000 });
}

/** Command cases for the stub, in the order they run (later ones rely on the flash earlier ones wrote). */
export const STUB_COMMAND_CASES: readonly AgreementCaseSpec[] = [
  {
    name: "length checks: WRITE_REG 0/8 bytes → C8, READ_REG 0/8 bytes → C0, size field ≠ payload → C0, direction ≠ 0 → C3",
    run: (s) =>
      each(s, [
        ["WRITE_REG 0 bytes", request(OP.WRITE_REG)],
        ["WRITE_REG 8 bytes", request(OP.WRITE_REG, words(0x3ff5a00c, 0))],
        ["READ_REG 0 bytes", request(OP.READ_REG)],
        ["READ_REG 8 bytes", request(OP.READ_REG, words(MAGIC, 0))],
        ["size field 8, 4 bytes", request(OP.READ_REG, words(MAGIC), { sizeField: 8 })],
        ["size field 4, 8 bytes", request(OP.READ_REG, words(MAGIC, 0), { sizeField: 4 })],
        ["direction 1", request(OP.READ_REG, words(MAGIC), { direction: 1 })],
        ["direction 2, SPI_FLASH_MD5", request(OP.SPI_FLASH_MD5, words(0, 16, 0, 0), { direction: 2 })],
        ["SYNC of 32 bytes", request(OP.SYNC, SYNC_DATA.subarray(0, 32))],
        ["SYNC of 36 zero bytes", request(OP.SYNC, new Uint8Array(36)), 8],
        ["SPI_ATTACH 4 bytes", request(OP.SPI_ATTACH, words(0))],
        ["SPI_ATTACH 8 bytes", request(OP.SPI_ATTACH, words(0, 0))],
        ["SPI_SET_PARAMS 24 bytes", request(OP.SPI_SET_PARAMS, words(0, 0x400000, 0x10000, 0x1000, 0x100, 0xffff))],
        ["SPI_SET_PARAMS 20 bytes", request(OP.SPI_SET_PARAMS, words(0, 0x400000, 0x10000, 0x1000, 0x100))],
        ["CHANGE_BAUDRATE 4 bytes", request(OP.CHANGE_BAUDRATE, words(115200))],
        ["GET_SECURITY_INFO", request(OP.GET_SECURITY_INFO)],
        ["GET_SECURITY_INFO with 4 bytes", request(OP.GET_SECURITY_INFO, words(0))],
      ]),
    facts: (q) => {
      expect(q.frames("WRITE_REG 0 bytes")).toEqual([expect.stringMatching(/status=c800$/)]);
      expect(q.frames("direction 1")).toEqual([expect.stringMatching(/status=c300$/)]);
    },
  },
  {
    name: "unknown opcodes: C3; plugin window 0xD5–0xEF: FF; READ_FLASH_SLOW and FLASH_ENCRYPT_DATA are unknown to the stub",
    run: (s) =>
      each(s, [
        ["0x55", request(0x55)],
        ["0x01", request(0x01)],
        ["0xD5", request(0xd5)],
        ["0xEF", request(0xef)],
        ["0xF0", request(0xf0)],
        ["0xD4", request(0xd4, words(4, 0, 0, 0, 0))],
        ["READ_FLASH_SLOW", request(OP.READ_FLASH_SLOW, words(0, 64))],
      ]),
  },
  {
    name: "frames shorter than a header: answered from the stale frame buffer (direction ≠ 0 → C3, else C0)",
    run: async (s) => {
      await rawFrame(s, "3 bytes 00 0a 04", [0x00, 0x0a, 0x04]);
      await rawFrame(s, "4 bytes 01 02 03 04", [0x01, 0x02, 0x03, 0x04]);
      await rawFrame(s, "7 bytes 00 13 00…", [0x00, 0x13, 0, 0, 0, 0, 0]);
      await rawFrame(s, "2 bytes 07 0b", [0x07, 0x0b]);
      // Frames take the two buffers in turn: this one's opcode is the 7-byte frame's, two frames back.
      await rawFrame(s, "1 byte 55", [0x55]);
      s.write(Uint8Array.of(0xc0, 0xc0));
      await s.collect("empty frame C0 C0", { quietMs: 300 });
      s.write(Uint8Array.of(0xc0, 0xdb, 0x01, 0xc0));
      await s.collect("bad escape DB 01", { quietMs: 300 });
      await s.exchange("READ_REG", [readReg(MAGIC)]);
    },
    facts: (q) => expect(q.frames("1 byte 55")).toEqual(["op=13 value=00000000 status=c300"]),
  },
  {
    name: "SPI_FLASH_MD5 ranges: past or across the end → C4; empty and unaligned ranges are hashed",
    run: (s) =>
      each(s, [
        ["12-byte payload", request(OP.SPI_FLASH_MD5, words(0, 16, 0))],
        ["past the end", flashMd5(FLASH_END_ADDR, 0x1000)],
        ["across the end", flashMd5(FLASH_END_ADDR - 0x1000, 0x2000)],
        ["at 16 MiB", flashMd5(0x1000000, 0x10)],
        ["size 0", flashMd5(0, 0)],
        ["1..4", flashMd5(1, 3)],
      ]),
  },
  {
    name: "ERASE_REGION: unaligned or 4-byte payload → C0; past the end → OK and the address wraps (sector 0 is erased)",
    run: async (s) => {
      await each(s, [
        // Compressed, so the 4 KiB cross QEMU's 115200-baud UART in a few dozen bytes.
        ["FLASH_DEFL_BEGIN 4 KiB at 0", request(OP.FLASH_DEFL_BEGIN, words(0x1000, 1, 0x4000, 0))],
        ["FLASH_DEFL_DATA 4 KiB of 5A", dataPacket(OP.FLASH_DEFL_DATA, 0, deflateSync(filled(0x1000, 0x5a)))],
        ["FLASH_DEFL_END", request(OP.FLASH_DEFL_END, words(1))],
        ["MD5 sector 0", flashMd5(0, 0x1000)],
        ["ERASE_REGION unaligned size", request(OP.ERASE_REGION, words(0x1000, 0x800))],
        ["ERASE_REGION 4 bytes", request(OP.ERASE_REGION, words(0x1000))],
        ["ERASE_REGION at 4 MiB", request(OP.ERASE_REGION, words(FLASH_END_ADDR, 0x1000))],
        ["MD5 sector 0 after", flashMd5(0, 0x1000)],
        ["ERASE_FLASH with a payload", request(OP.ERASE_FLASH, words(0))],
      ]);
    },
    facts: (q) => expect(q.frames("MD5 sector 0 after")).not.toEqual(q.frames("MD5 sector 0")),
  },
  {
    name: "RUN_USER_CODE: no reply, and the stub keeps running",
    run: async (s) => {
      await s.exchange("RUN_USER_CODE", [request(OP.RUN_USER_CODE)], { count: 0, quietMs: 400 });
      await s.exchange("READ_REG", [readReg(MAGIC)]);
    },
    facts: (q) => {
      expect(q.frames("RUN_USER_CODE")).toHaveLength(0);
      expect(q.frames("READ_REG")).toHaveLength(1);
    },
  },
  {
    name: "MEM_* through the stub: begin required (C6), short data C8, too much or length mismatch C9, no checksum check, MEM_END flag 1 stays",
    run: (s) =>
      each(s, [
        ["MEM_END without begin", request(OP.MEM_END, words(1, 0))],
        ["MEM_DATA without begin", dataPacket(OP.MEM_DATA, 0, filled(4, 0))],
        ["MEM_BEGIN 12 bytes", request(OP.MEM_BEGIN, words(4, 1, 4))],
        ["MEM_BEGIN 8 bytes to DRAM", request(OP.MEM_BEGIN, words(8, 1, 0x1800, DRAM))],
        ["MEM_DATA 4-byte payload", request(OP.MEM_DATA, words(4))],
        ["MEM_DATA 12 bytes", dataPacket(OP.MEM_DATA, 0, filled(12, 0))],
        ["MEM_DATA length field 4, 8 bytes", dataPacket(OP.MEM_DATA, 0, filled(8, 0), { lenField: 4 })],
        ["MEM_DATA bad checksum", dataPacket(OP.MEM_DATA, 0, filled(4, 0), { checksum: 0x12 })],
        ["MEM_DATA 4 more", dataPacket(OP.MEM_DATA, 1, filled(4, 0))],
        ["MEM_DATA beyond the size", dataPacket(OP.MEM_DATA, 2, filled(4, 0))],
        ["MEM_END 4 bytes", request(OP.MEM_END, words(1))],
        ["MEM_END flag 1", request(OP.MEM_END, words(1, 0))],
        ["MEM_END again", request(OP.MEM_END, words(1, 0))],
        ["READ_REG", readReg(MAGIC)],
      ]),
  },
  {
    name: "FLASH_BEGIN/DATA/END: short data C8, length field ≠ payload C9, bad checksum C1, sequence not checked, excess clipped, END needs every byte (C0)",
    run: (s) =>
      each(s, [
        ["FLASH_DATA without begin", dataPacket(OP.FLASH_DATA, 0, filled(4, 0))],
        ["FLASH_DATA 8-byte payload", request(OP.FLASH_DATA, words(4, 0))],
        ["FLASH_DEFL_DATA 8-byte payload", request(OP.FLASH_DEFL_DATA, words(4, 0))],
        ["FLASH_END without begin", request(OP.FLASH_END, words(1))],
        ["FLASH_DEFL_END without begin", request(OP.FLASH_DEFL_END, words(1))],
        ["FLASH_END 8 bytes", request(OP.FLASH_END, words(1, 0))],
        ["FLASH_BEGIN 12 bytes", request(OP.FLASH_BEGIN, words(0x100, 1, 0x100))],
        ["FLASH_BEGIN 0x100 at 0x10000", request(OP.FLASH_BEGIN, words(0x100, 1, 0x100, 0x10000))],
        ["FLASH_DATA length field 8, 16 bytes", dataPacket(OP.FLASH_DATA, 0, filled(16, 0x11), { lenField: 8 })],
        ["FLASH_DATA bad checksum", dataPacket(OP.FLASH_DATA, 0, filled(16, 0x11), { checksum: 0x33 })],
        ["FLASH_DATA seq 5, 0x80 bytes", dataPacket(OP.FLASH_DATA, 5, filled(0x80, 0x22))],
        ["FLASH_END with bytes missing", request(OP.FLASH_END, words(1))],
        ["FLASH_DATA 0x100 more (0x80 fit)", dataPacket(OP.FLASH_DATA, 6, filled(0x100, 0x33))],
        ["FLASH_END", request(OP.FLASH_END, words(0))],
        ["MD5 0x10000 0x200", flashMd5(0x10000, 0x200)],
        ["FLASH_END again", request(OP.FLASH_END, words(1))],
        ["FLASH_BEGIN past the end", request(OP.FLASH_BEGIN, words(0x1000, 1, 0x1000, FLASH_END_ADDR))],
        ["FLASH_DATA into it", dataPacket(OP.FLASH_DATA, 0, filled(0x100, 0x11))],
        ["READ_REG (carries the failed write)", readReg(MAGIC)],
        ["READ_REG", readReg(MAGIC)],
        ["FLASH_BEGIN across the end", request(OP.FLASH_BEGIN, words(0x2000, 1, 0x2000, FLASH_END_ADDR - 0x1000))],
      ]),
  },
  {
    name: "FLASH_BEGIN erases the first sector at once, before any data arrives",
    run: (s) =>
      each(s, [
        ["FLASH_DEFL_BEGIN 8 KiB at 0x20000", request(OP.FLASH_DEFL_BEGIN, words(0x2000, 1, 0x4000, 0x20000))],
        ["FLASH_DEFL_DATA 8 KiB of 5A", dataPacket(OP.FLASH_DEFL_DATA, 0, deflateSync(filled(0x2000, 0x5a)))],
        ["FLASH_DEFL_END", request(OP.FLASH_DEFL_END, words(1))],
        ["FLASH_BEGIN 4 KiB at 0x21000, no data", request(OP.FLASH_BEGIN, words(0x1000, 1, 0x1000, 0x21000))],
        ["MD5 0x20000 8 KiB", flashMd5(0x20000, 0x2000)],
        ["FLASH_BEGIN 0x100 at 0x20800, no data", request(OP.FLASH_BEGIN, words(0x100, 1, 0x1000, 0x20800))],
        ["MD5 0x20000 8 KiB again", flashMd5(0x20000, 0x2000)],
        ["FLASH_BEGIN 0 bytes at 0x22000", request(OP.FLASH_BEGIN, words(0, 0, 0x1000, 0x22000))],
        ["FLASH_END after it", request(OP.FLASH_END, words(0))],
      ]),
  },
  {
    name: "deflate sessions: plain FLASH_DATA is accepted in one, the checksum covers the length field's bytes, inflate errors and excess surface later",
    run: async (s) => {
      const plain = filled(0x100, 0x44);
      const z = deflateSync(plain);
      await each(s, [
        ["FLASH_DEFL_BEGIN at 0x12000", request(OP.FLASH_DEFL_BEGIN, words(0x100, 1, 0x4000, 0x12000))],
        ["plain FLASH_DATA in it", dataPacket(OP.FLASH_DATA, 0, plain)],
        ["FLASH_DEFL_END", request(OP.FLASH_DEFL_END, words(1))],
        ["MD5 0x12000", flashMd5(0x12000, 0x100)],
        ["FLASH_DEFL_BEGIN at 0x13000", request(OP.FLASH_DEFL_BEGIN, words(0x100, 1, 0x4000, 0x13000))],
        ["FLASH_DEFL_DATA length field < payload", dataPacket(OP.FLASH_DEFL_DATA, 0, Buffer.concat([z, filled(4, 0)]), { lenField: z.length, checksum: checksum(z) })],
        ["FLASH_DEFL_END after it", request(OP.FLASH_DEFL_END, words(1))],
        ["MD5 0x13000", flashMd5(0x13000, 0x100)],
        ["FLASH_DEFL_BEGIN at 0x14000", request(OP.FLASH_DEFL_BEGIN, words(0x100, 1, 0x4000, 0x14000))],
        ["FLASH_DEFL_DATA not zlib", dataPacket(OP.FLASH_DEFL_DATA, 0, Buffer.from("not a zlib stream at all"))],
        ["size field ≠ payload (error kept)", request(OP.READ_REG, words(MAGIC), { sizeField: 8 })],
        ["READ_REG (carries the inflate error)", readReg(MAGIC)],
        ["READ_REG", readReg(MAGIC)],
        ["FLASH_DEFL_BEGIN 0x80 at 0x15000", request(OP.FLASH_DEFL_BEGIN, words(0x80, 1, 0x4000, 0x15000))],
        ["FLASH_DEFL_DATA inflating to 0x100", dataPacket(OP.FLASH_DEFL_DATA, 0, z)],
        ["FLASH_DEFL_END", request(OP.FLASH_DEFL_END, words(1))],
        ["READ_REG", readReg(MAGIC)],
        ["MD5 0x15000 0x100", flashMd5(0x15000, 0x100)],
      ]);
    },
  },
  {
    // The simulator's inflate must reject what the chip's decoder rejects (handmade-deflate.ts): a
    // table that is built but never used still fails; and the stream stays failed.
    name: "FLASH_DEFL_DATA whose unused distance code is over-subscribed: INFLATE_ERROR on the next command, again after the next block, nothing written; with a complete code the data is written",
    run: async (s) => {
      const bad = handmadeZlib(0x400, 3);
      await each(s, [
        ["FLASH_DEFL_BEGIN 0x400 at 0x16000", request(OP.FLASH_DEFL_BEGIN, words(0x400, 1, 0x4000, 0x16000))],
        ["FLASH_DEFL_DATA, complete distance code", dataPacket(OP.FLASH_DEFL_DATA, 0, handmadeZlib(0x400, 2))],
        ["FLASH_DEFL_END", request(OP.FLASH_DEFL_END, words(1))],
        ["MD5 0x16000 (written)", flashMd5(0x16000, 0x400)],
        ["FLASH_DEFL_BEGIN 0x400 at 0x17000", request(OP.FLASH_DEFL_BEGIN, words(0x400, 1, 0x4000, 0x17000))],
        ["FLASH_DEFL_DATA, over-subscribed distance code: first 200 bytes", dataPacket(OP.FLASH_DEFL_DATA, 0, bad.subarray(0, 200))],
        ["READ_REG (carries the inflate error)", readReg(MAGIC)],
        ["FLASH_DEFL_DATA: the rest", dataPacket(OP.FLASH_DEFL_DATA, 1, bad.subarray(200))],
        ["READ_REG after the rest", readReg(MAGIC)],
        ["READ_REG", readReg(MAGIC)],
        ["FLASH_DEFL_END of the failed stream", request(OP.FLASH_DEFL_END, words(1))],
        ["MD5 0x17000 (nothing written)", flashMd5(0x17000, 0x400)],
      ]);
    },
    facts: (q) => {
      expect(q.frames("READ_REG (carries the inflate error)")).toEqual([expect.stringMatching(/status=c700$/)]);
      expect(q.frames("READ_REG after the rest")).toEqual([expect.stringMatching(/status=c700$/)]);
      expect(q.frames("FLASH_DEFL_END of the failed stream")).toEqual([expect.stringMatching(/status=c000$/)]);
    },
  },
  {
    name: "READ_FLASH: packet > 4 KiB and ranges past the end fail on the next command; any 4-byte frame is an ACK; any other frame ends the stream with the digest so far",
    run: async (s) => {
      await each(s, [
        ["READ_FLASH packet 0x1001", request(OP.READ_FLASH, words(0, 0x100, 0x1001, 1))],
        ["READ_REG (carries C0)", readReg(MAGIC)],
        ["READ_FLASH 12 bytes", request(OP.READ_FLASH, words(0, 0x100, 0x100))],
        ["READ_FLASH past the end", request(OP.READ_FLASH, words(FLASH_END_ADDR, 0x100, 0x100, 1))],
        ["READ_REG (carries C4)", readReg(MAGIC)],
      ]);
      await s.exchange("READ_FLASH 0x12000+0x300, 0x100 packets", [request(OP.READ_FLASH, words(0x12000, 0x300, 0x100, 64))], { count: 2 });
      s.write(slipFrame(words(0x100)));
      await s.collect("ACK 0x100", { count: 1 });
      await s.exchange("READ_REG mid-stream", [readReg(MAGIC)]);
      await s.exchange("READ_REG", [readReg(MAGIC)]);
      await s.exchange("READ_FLASH again", [request(OP.READ_FLASH, words(0x12000, 0x300, 0x100, 64))], { count: 2 });
      for (const n of [1, 2]) {
        s.write(slipFrame(words(0x50)));
        await s.collect(`stale ACK #${n}`, { count: 1 });
      }
      s.write(slipFrame(Uint8Array.of(1, 2, 3)));
      await s.collect("3-byte frame", { count: 1 });
      await s.exchange("READ_FLASH of 0 bytes", [request(OP.READ_FLASH, words(0x12000, 0, 0x100, 64))], { count: 2 });
      await s.exchange("READ_FLASH with packet size 0", [request(OP.READ_FLASH, words(0x12000, 0x10, 0, 64))]);
      await s.exchange("READ_REG (ends that stream)", [readReg(MAGIC)]);
      await s.exchange("READ_REG", [readReg(MAGIC)]);
    },
  },
  {
    name: "CHANGE_BAUDRATE: 921600 answered at the old rate, then the stub works at the new one",
    run: (s) =>
      each(s, [
        ["CHANGE_BAUDRATE 921600", request(OP.CHANGE_BAUDRATE, words(921600, 115200))],
        ["READ_REG", readReg(MAGIC)],
        ["CHANGE_BAUDRATE 115200", request(OP.CHANGE_BAUDRATE, words(115200, 921600))],
        ["READ_REG again", readReg(MAGIC)],
      ]),
  },
  {
    name: "CHANGE_BAUDRATE 0: acknowledged, then the stub hears nothing (last case: the chip needs a reset)",
    run: async (s) => {
      await s.exchange("CHANGE_BAUDRATE 0", [request(OP.CHANGE_BAUDRATE, words(0, 115200))]);
      await s.exchange("READ_REG", [readReg(MAGIC)], { count: 0, quietMs: 400 });
    },
    facts: (q) => expect(q.frames("READ_REG")).toHaveLength(0),
  },
];

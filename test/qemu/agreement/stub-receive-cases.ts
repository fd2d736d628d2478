/**
 * How the real flasher stub receives requests (esp-flasher-stub `transport.c`, `slip.c`,
 * `frame_buffer.c`, observed on QEMU's ESP32): the UART interrupt drains the FIFO in batches into
 * one of two frame buffers; once a frame is complete no buffer is armed until the main loop picks
 * it up, so the rest of that batch is lost; a frame arriving while a command runs waits in the
 * second buffer; a frame whose start was lost turns its closing C0 into an opening one, and every
 * later frame is mis-framed until an extra C0. There is no command queue (PROTOCOL.md §12).
 */
import { expect } from "vitest";
import type { AgreementCaseSpec } from "./agreement-case.js";
import { dataPacket, flashMd5, OP, patterned, readReg, request, words } from "./requests.js";
import { slipFrame } from "./raw-link.js";
import { deflateSync } from "node:zlib";

const MAGIC = 0x40001000;
const KIB64 = 0x10000;

/** A lone READ_REG afterwards shows whether the stub still listens. */
const stillListening = async (s: Parameters<AgreementCaseSpec["run"]>[0]): Promise<void> => {
  await s.exchange("then a lone READ_REG", [readReg(MAGIC)], { maxMs: 2000 });
};

const md5s = (n: number) => Array.from({ length: n }, (_, i) => flashMd5(i * KIB64, KIB64));

/** Receive-path cases for the stub. */
export const STUB_RECEIVE_CASES: readonly AgreementCaseSpec[] = [
  {
    name: "2 SPI_FLASH_MD5 (64 KiB) in one write: only the first is answered",
    run: async (s) => {
      await s.exchange("2 x MD5", md5s(2), { settleMs: 700, maxMs: 4000 });
      await stillListening(s);
    },
    facts: (q) => expect(q.frames("2 x MD5")).toHaveLength(1),
  },
  {
    name: "4 SPI_FLASH_MD5 (64 KiB) in one write: exactly 1 reply",
    run: async (s) => {
      await s.exchange("4 x MD5", md5s(4), { settleMs: 900, maxMs: 5000 });
      await stillListening(s);
    },
    facts: (q) => expect(q.frames("4 x MD5")).toHaveLength(1),
  },
  {
    name: "SPI_FLASH_MD5 + READ_REG in one write: only the MD5 reply",
    run: async (s) => {
      await s.exchange("MD5 + READ_REG", [flashMd5(0, KIB64), readReg(MAGIC)], { settleMs: 700, maxMs: 4000 });
      await stillListening(s);
    },
    facts: (q) => {
      expect(q.frames("MD5 + READ_REG")).toHaveLength(1);
      expect(q.frames("MD5 + READ_REG")[0]).toMatch(/^op=13 /);
    },
  },
  {
    name: "2 READ_REGs in one write: 1 reply",
    run: async (s) => {
      await s.exchange("2 x READ_REG", [readReg(MAGIC), readReg(MAGIC)], { settleMs: 400 });
      await stillListening(s);
    },
    facts: (q) => expect(q.frames("2 x READ_REG")).toHaveLength(1),
  },
  {
    name: "4 READ_REGs in one write: 1 reply",
    run: async (s) => {
      await s.exchange("4 x READ_REG", [readReg(MAGIC), readReg(0x3ff5a00c), readReg(MAGIC), readReg(0x3ff5a00c)], { settleMs: 400 });
      await stillListening(s);
    },
    facts: (q) => expect(q.frames("4 x READ_REG")).toHaveLength(1),
  },
  {
    name: "READ_REG written 100 ms into a 1 MiB SPI_FLASH_MD5: waits in the second buffer, answered after the digest",
    run: async (s) => {
      s.send(flashMd5(0, 0x100000));
      await s.sleep(100);
      s.send(readReg(MAGIC));
      await s.collect("MD5 then READ_REG", { count: 2, settleMs: 300, maxMs: 10_000 });
    },
    facts: (q) => {
      const f = q.frames("MD5 then READ_REG");
      expect(f).toHaveLength(2);
      expect(f[0]).toMatch(/^op=13 /);
      expect(f[1]).toMatch(/^op=0a /);
    },
  },
  {
    name: "a frame cut across the re-arm: deaf to every later frame until a lone C0",
    run: async (s) => {
      const first = slipFrame(readReg(MAGIC));
      const second = slipFrame(readReg(0x3ff5a00c));
      s.write(Buffer.concat([first, second.subarray(0, 6)]));
      await s.sleep(100);
      s.write(second.subarray(6));
      await s.collect("READ_REG + cut READ_REG", { count: 1, settleMs: 400, maxMs: 2000 });
      for (const n of [1, 2, 3]) await s.exchange(`single READ_REG #${n}`, [readReg(MAGIC)], { count: 0, quietMs: 300 });
      s.write(Uint8Array.of(0xc0));
      await s.sleep(50);
      await s.exchange("READ_REG after a lone C0", [readReg(MAGIC)], { maxMs: 2000 });
    },
    facts: (q) => {
      expect(q.frames("READ_REG + cut READ_REG")).toHaveLength(1);
      for (const n of [1, 2, 3]) expect(q.frames(`single READ_REG #${n}`)).toHaveLength(0);
      expect(q.frames("READ_REG after a lone C0")).toHaveLength(1);
    },
  },
  {
    name: "FLASH_DEFL_DATA with a READ_REG in the same write: the READ_REG is lost",
    run: async (s) => {
      const z = deflateSync(patterned(0x4000));
      await s.exchange("FLASH_DEFL_BEGIN", [request(OP.FLASH_DEFL_BEGIN, words(0x4000, 1, 0x4000, 0x60000))]);
      await s.exchange("FLASH_DEFL_DATA + READ_REG", [dataPacket(OP.FLASH_DEFL_DATA, 0, z), readReg(MAGIC)], { settleMs: 700, maxMs: 4000 });
      await s.exchange("FLASH_DEFL_END", [request(OP.FLASH_DEFL_END, words(1))], { maxMs: 4000 });
      await s.exchange("MD5 of the written block", [flashMd5(0x60000, 0x4000)], { maxMs: 4000 });
    },
    facts: (q) => expect(q.frames("FLASH_DEFL_DATA + READ_REG")).toEqual([expect.stringMatching(/^op=11 .*status=0000$/)]),
  },
  {
    name: "FLASH_DEFL_DATA, then a READ_REG right after its ACK: answered once the block is written",
    run: async (s) => {
      const z = deflateSync(patterned(0x4000));
      await s.exchange("FLASH_DEFL_BEGIN", [request(OP.FLASH_DEFL_BEGIN, words(0x4000, 1, 0x4000, 0x70000))]);
      await s.exchange("FLASH_DEFL_DATA", [dataPacket(OP.FLASH_DEFL_DATA, 0, z)], { settleMs: 0, maxMs: 4000 });
      await s.exchange("READ_REG right after the ACK", [readReg(MAGIC)], { maxMs: 4000 });
      await s.exchange("FLASH_DEFL_END", [request(OP.FLASH_DEFL_END, words(1))], { maxMs: 4000 });
      await s.exchange("MD5 of the written block", [flashMd5(0x70000, 0x4000)], { maxMs: 4000 });
    },
    facts: (q) => expect(q.frames("READ_REG right after the ACK")).toHaveLength(1),
  },
];

/**
 * The scripted esptool.py v5 host drives the real `espsync sim` process over a real TCP socket,
 * one esptool invocation per connection (as a user runs esptool): ROM-only (`--no-stub`) first,
 * then with the stub, then across a restart with `--flash-file`. Asserts what esptool prints as
 * data, the flash contents read back through esptool's own read paths, and the reply shapes.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudoRandom } from "../helpers.js";
import { ESPTOOL_CHIPS, type EsptoolChipName } from "./chip-classes.js";
import { OP } from "./esptool-py-loader.js";
import { runEsptool, type EsptoolCommand, type EsptoolOptions, type EsptoolRun } from "./esptool-py-run.js";
import { SIM_BIN_BUILT, startSim, type SimProcess } from "./sim-process.js";

/** Half-compressible bytes: random nibbles. */
function nibbleBytes(n: number, seed: number): Uint8Array {
  return pseudoRandom(n, seed).map((b) => b & 0x0f);
}

/** Compressible bytes: a repeating text. */
function textBytes(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => "espsync writes only what differs. ".charCodeAt(i % 34));
}

const md5 = (d: Uint8Array): string => createHash("md5").update(d).digest("hex");

/** Requests of one opcode from a run's wire trace. */
function sent(run: EsptoolRun, op: number): Uint8Array[] {
  return run.loader.requests.filter((r) => r.op === op).map((r) => r.data);
}

function word(d: Uint8Array, i: number): number {
  return new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(i * 4, true);
}

/** Every reply to a request of the run had the status layout of its responder (§1.4). */
function expectStatusShape(run: EsptoolRun, personality: "rom" | "stub"): void {
  const statusBytes = personality === "rom" ? 4 : 2;
  for (const r of run.loader.replies) {
    if (r.forOp !== undefined && r.forOp !== OP.SYNC && r.op !== r.forOp) {
      // The only reply esptool reads for another opcode is the ROM's §1.6 "unsupported" re-send;
      // anything else (an extra SYNC reply, a stale answer) would be a stray packet.
      expect([personality, r.forOp, r.data[0], r.data[1]], `stray reply op 0x${r.op.toString(16)}`).toEqual(["rom", OP.GET_SECURITY_INFO, 1, 5]);
      continue;
    }
    if (r.forOp === undefined || r.op !== r.forOp) continue;
    if (personality === "stub" && r.op === OP.GET_SECURITY_INFO && r.data.length === 2) {
      // esp-flasher-stub on a chip without the command: 0xFF00 (§1.5); esptool falls back to the magic.
      expect([...r.data]).toEqual([0xff, 0x00]);
      continue;
    }
    const payload = r.op === OP.SPI_FLASH_MD5 ? (personality === "rom" ? 32 : 16) : r.op === OP.GET_SECURITY_INFO ? 20 : r.op === OP.READ_FLASH_SLOW ? 64 : 0;
    expect(r.data.length, `reply to op 0x${r.op.toString(16)}`).toBe(payload + statusBytes);
    expect(r.data[payload], `status of op 0x${r.op.toString(16)}`).toBe(0);
  }
}

const MACS: Record<EsptoolChipName, string> = { esp32: "24:0a:c4:12:34:56", esp32s3: "7c:df:a1:00:c0:db", esp32c3: "58:cf:79:0a:0b:0c" };
const DESCRIPTIONS: Record<EsptoolChipName, string> = {
  esp32: "ESP32-D0WD-V3 (revision v3.0)",
  esp32s3: "ESP32-S3 (QFN56) (revision v1.1)",
  esp32c3: "ESP32-C3 (QFN32) (revision v0.3)",
};

describe.skipIf(!SIM_BIN_BUILT)("esptool.py v5 (scripted) against `espsync sim` over socket:// (needs `npm run build`)", () => {
  for (const name of Object.keys(ESPTOOL_CHIPS) as EsptoolChipName[]) {
    describe(name, () => {
      let sim: SimProcess;
      const run = (command: EsptoolCommand, options?: EsptoolOptions): Promise<EsptoolRun> => runEsptool(sim.host, sim.port, command, options);
      beforeAll(async () => {
        sim = await startSim(name, ["--mac", MACS[name]]);
      });
      afterAll(async () => {
        await sim.stop();
      });

      const romFile = { addr: 0x10000, data: pseudoRandom(5001, 1) };
      const romUnaligned = { addr: 0x21100, data: textBytes(3000) };

      it("--no-stub chip-id: detection, description and MAC from the ROM", async () => {
        const r = await run({ cmd: "chip-id" }, { noStub: true });
        expect(r.info.chip.name).toBe(ESPTOOL_CHIPS[name].name);
        expect(r.info.description).toBe(DESCRIPTIONS[name]);
        expect(r.info.mac).toBe(MACS[name]);
        expect(r.stubUploaded).toBe(false);
        // ESP32 ROM: GET_SECURITY_INFO unsupported (§1.6) → reconnect → magic; newer chips: chip id.
        expect(r.info.usedMagicFallback).toBe(name === "esp32");
        expect(r.info.chipId).toBe(name === "esp32" ? undefined : ESPTOOL_CHIPS[name].imageChipId);
        expect(sent(r, OP.GET_SECURITY_INFO).length).toBe(name === "esp32" ? 1 : 2);
        if (name === "esp32") {
          // §1.6/§11: the previous reply (SYNC: opcode 0x08, sticky 0x20120707, size 4) with status 01 05.
          const unsupported = r.loader.replies.filter((x) => x.forOp === OP.GET_SECURITY_INFO);
          expect(unsupported.map((x) => [x.op, x.value, x.data.length, x.data[0], x.data[1]])).toEqual([[OP.SYNC, 0x20120707, 4, 1, 5]]);
        }
        // Every SYNC answered got exactly 8 replies: one read for the request, 7 read with no opcode.
        // (On a loaded machine a first attempt can miss esptool's 100 ms and be sent again.)
        const answered = r.loader.replies.filter((x) => x.forOp === OP.SYNC).length;
        expect(answered).toBeGreaterThanOrEqual(1);
        expect(answered).toBeLessThanOrEqual(sent(r, OP.SYNC).length);
        expect(r.loader.replies.filter((x) => x.forOp === undefined).length).toBe(answered * 7);
        expectStatusShape(r, "rom");
      });

      it("--no-stub flash-id: SPI_ATTACH of 8 bytes, RDID, SFDP signature", async () => {
        const r = await run({ cmd: "flash-id" }, { noStub: true });
        expect(r.flashId).toEqual({ manufacturer: 0xc8, device: 0x4016, size: "4MB" });
        expect(sent(r, OP.SPI_ATTACH).map((d) => d.length)).toEqual([8]);
        expect(r.attach?.spiAttachArg).toBe(0);
        expect(r.attach?.sfdpSignature).toBe(0x50444653);
        expect(r.attach?.sfdpMfid).not.toBe(0x20);
        expectStatusShape(r, "rom");
      });

      it("--no-stub write-flash (plain and compressed), read-flash and erase-region through the ROM", async () => {
        const w = await run({ cmd: "write-flash", files: [romFile, romUnaligned] }, { noStub: true });
        expect(w.flash?.blockRetries).toBe(0);
        const begins = sent(w, OP.FLASH_BEGIN);
        // ESP32 ROM takes exactly 16 bytes, S3/C3 exactly 20 (§2.2); block size 0x400; no FLASH_END.
        expect(begins.map((d) => d.length)).toEqual([16, 16].map((n) => (name === "esp32" ? n : 20)));
        expect(begins.map((d) => [word(d, 0), word(d, 2), word(d, 3)])).toEqual([[5004, 0x400, 0x10000], [0x100 + 3000, 0x400, 0x21000]]);
        // 5004 bytes and 3256 bytes in 0x400-byte blocks: 5 + 4 blocks.
        expect(sent(w, OP.FLASH_DATA).map((d) => d.length)).toEqual(new Array(9).fill(16 + 0x400));
        expect(sent(w, OP.FLASH_END)).toEqual([]);
        expect(w.flash?.digests.map((d) => d.chip === d.host)).toEqual([true, true]); // one per file
        expectStatusShape(w, "rom");

        const defl = { addr: 0x40000, data: textBytes(12_345) };
        const c = await run({ cmd: "write-flash", files: [defl], compress: true }, { noStub: true });
        const db = sent(c, OP.FLASH_DEFL_BEGIN);
        expect(db.length).toBe(1);
        expect(word(db[0] as Uint8Array, 0)).toBe(Math.ceil(12_348 / 0x400) * 0x400); // ROM: rounded up
        expect(sent(c, OP.FLASH_DEFL_END)).toEqual([]);

        const back = await run({ cmd: "read-flash", addr: romFile.addr, size: romFile.data.length }, { noStub: true });
        expect(Buffer.from(back.read?.data ?? []).equals(Buffer.from(romFile.data))).toBe(true);
        expect(sent(back, OP.READ_FLASH_SLOW).length).toBe(Math.ceil(5001 / 64));
        expectStatusShape(back, "rom");
        const un = await run({ cmd: "read-flash", addr: 0x21000, size: 0x100 + 3000 }, { noStub: true });
        expect(Buffer.from(un.read?.data ?? []).equals(Buffer.from([...new Uint8Array(0x100).fill(0xff), ...romUnaligned.data]))).toBe(true);

        await run({ cmd: "erase-region", addr: 0x40000, size: 0x1000 }, { noStub: true });
        const erased = await run({ cmd: "read-flash", addr: 0x40000, size: 0x1040 }, { noStub: true });
        const expected = new Uint8Array(0x1040).fill(0xff);
        expected.set(defl.data.subarray(0x1000, 0x1040), 0x1000);
        expect(Buffer.from(erased.read?.data ?? []).equals(Buffer.from(expected))).toBe(true);
      });

      it("--no-stub --baud 921600: the ROM accepts the rate esptool computes from its registers", async () => {
        const r = await run({ cmd: "chip-id" }, { noStub: true, baud: 921_600 });
        // esptool.py scales the rate by the ROM's own crystal estimate on ESP32 (CK_8M drift workaround).
        expect(r.baudChange?.sentBaud).toBeGreaterThan(900_000);
        expect(r.baudChange?.sentBaud).toBeLessThanOrEqual(921_600);
        expect(r.baudChange?.status).toBe(0);
      });

      const big = { addr: 0x10000, data: pseudoRandom(70_001, 7) };
      const boot = { addr: 0x0, data: textBytes(9_999) };
      const plain = { addr: 0x30000, data: pseudoRandom(20_003, 9) };
      const half = { addr: 0x40000, data: nibbleBytes(80_003, 13) };

      it("chip-id with the stub: upload, OHAI, then the stub stays (hard-reset reaches nothing over TCP)", async () => {
        // Newer esptool caps MEM_DATA at 0x800 on USB-OTG-capable chips (ESP32-S3) when the port has
        // no VID/PID, as socket:// has not; older ones use 0x1800 (§2.5). The ROM must take both.
        const ramBlockBytes = name === "esp32s3" ? 0x800 : 0x1800;
        const r = await run({ cmd: "chip-id" }, { ramBlockBytes });
        expect(r.stubUploaded).toBe(true);
        const stub = ESPTOOL_CHIPS[name].stub;
        expect(sent(r, OP.MEM_DATA)).toHaveLength(Math.ceil(stub.textBytes / ramBlockBytes) + Math.ceil(stub.dataBytes / ramBlockBytes));
        expect(sent(r, OP.MEM_END)).toHaveLength(1);
        const again = await run({ cmd: "chip-id" });
        expect(again.stubAlreadyRunning).toBe(true);
        expect(sent(again, OP.MEM_BEGIN)).toEqual([]);
        expect(again.info.mac).toBe(MACS[name]);
        expect(again.info.description).toBe(DESCRIPTIONS[name]);
      });

      it("write-flash (default compression; incompressible files go plain) then --no-compress, each MD5-verified", async () => {
        const w = await run({ cmd: "write-flash", files: [boot, big, half] });
        expect(w.flash?.blockRetries).toBe(0);
        const begins = sent(w, OP.FLASH_DEFL_BEGIN);
        // Stub FLASH_DEFL_BEGIN: 20 bytes, exact (4-byte padded) uncompressed size (§2 note *).
        expect(begins.map((d) => [d.length, word(d, 0), word(d, 2), word(d, 3)])).toEqual([[20, 10_000, 0x4000, 0], [20, 80_004, 0x4000, 0x40000]]);
        expect(word(begins[1] as Uint8Array, 1)).toBeGreaterThan(1); // several compressed blocks
        expect(sent(w, OP.FLASH_DEFL_DATA).every((d) => d.length <= 16 + 0x4000)).toBe(true);
        // Random data does not shrink: plain FLASH_BEGIN, blocks of 0x4000, the last one 0xFF-padded.
        const plainBegins = sent(w, OP.FLASH_BEGIN);
        expect(plainBegins.map((d) => [d.length, word(d, 0), word(d, 1), word(d, 3)])).toEqual([[20, 70_004, 5, 0x10000], [20, 0, 0, 0]]);
        expect(sent(w, OP.FLASH_DATA).map((d) => d.length)).toEqual(new Array(5).fill(16 + 0x4000));
        // Ends with FLASH_BEGIN(0, 0) + FLASH_DEFL_END(flag 1), the last file being compressed (§2.2).
        const end = w.loader.requests.findLastIndex((q) => q.op === OP.FLASH_BEGIN);
        const last = w.loader.requests.slice(end, end + 2);
        expect(last.map((q) => q.op)).toEqual([OP.FLASH_BEGIN, OP.FLASH_DEFL_END]);
        expect(word(last[1]?.data as Uint8Array, 0)).toBe(1);
        expect(w.flash?.digests.map((d) => d.chip)).toEqual([
          md5(Uint8Array.from([...boot.data, 0xff])),
          md5(Uint8Array.from([...big.data, 0xff, 0xff, 0xff])),
          md5(Uint8Array.from([...half.data, 0xff])),
        ]);
        expectStatusShape(w, "stub");

        const p = await run({ cmd: "write-flash", files: [plain], compress: false });
        const pb = sent(p, OP.FLASH_BEGIN);
        expect(pb.map((d) => [d.length, word(d, 0), word(d, 1), word(d, 2)])).toEqual([[20, 20_004, 2, 0x4000], [20, 0, 0, 0x4000]]);
        expect(sent(p, OP.FLASH_DATA).map((d) => d.length)).toEqual([16 + 0x4000, 16 + 0x4000]);
        const ends = sent(p, OP.FLASH_END);
        expect(ends.map((d) => word(d, 0))).toEqual([1]);
      });

      it("verify-flash matches every file, and fails on a changed one", async () => {
        const ok = await run({ cmd: "verify-flash", files: [boot, big, plain, half] });
        expect(ok.flash?.digests.map((d) => d.chip === d.host)).toEqual([true, true, true, true]); // one per file
        const wrong = Uint8Array.from(big.data);
        wrong[40_000] = (wrong[40_000] as number) ^ 1;
        await expect(run({ cmd: "verify-flash", files: [{ addr: big.addr, data: wrong }] })).rejects.toThrow("Verify failed.");
      });

      it("read-flash streams 0x1000-byte frames, ACKed, with a matching MD5 frame", async () => {
        const r = await run({ cmd: "read-flash", addr: big.addr, size: big.data.length });
        expect(Buffer.from(r.read?.data ?? []).equals(Buffer.from(big.data))).toBe(true);
        const frames = r.read?.frames ?? [];
        expect(frames.slice(0, -1)).toEqual(new Array(Math.floor(70_001 / 0x1000)).fill(0x1000));
        expect(frames.at(-1)).toBe(70_001 % 0x1000);
        const r0 = await run({ cmd: "read-flash", addr: 0, size: boot.data.length });
        expect(Buffer.from(r0.read?.data ?? []).equals(Buffer.from(boot.data))).toBe(true);
        const rh = await run({ cmd: "read-flash", addr: half.addr, size: half.data.length });
        expect(Buffer.from(rh.read?.data ?? []).equals(Buffer.from(half.data))).toBe(true);
      });

      it("erase-region erases exactly the region", async () => {
        await run({ cmd: "erase-region", addr: 0x11000, size: 0x2000 });
        const r = await run({ cmd: "read-flash", addr: 0x10000, size: 0x4000 });
        const expected = Uint8Array.from(big.data.subarray(0, 0x4000));
        expected.fill(0xff, 0x1000, 0x3000);
        expect(Buffer.from(r.read?.data ?? []).equals(Buffer.from(expected))).toBe(true);
      });

      it("--after no-reset: FLASH_BEGIN(0,0) + FLASH_END(0) accepted; the esp-flasher-stub keeps running", async () => {
        const r = await run({ cmd: "flash-id" }, { after: "no-reset" });
        expect(r.loader.requests.slice(-2).map((q) => [q.op, q.data.length])).toEqual([[OP.FLASH_BEGIN, 20], [OP.FLASH_END, 4]]);
        expect(word(r.loader.requests.at(-1)?.data as Uint8Array, 0)).toBe(0);
        const next = await run({ cmd: "verify-flash", files: [plain] });
        expect(next.stubAlreadyRunning).toBe(true);
      });
    });
  }

  describe("persistence across two processes with --flash-file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "espsync-esptool-py-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each(["esp32", "esp32c3"])("%s: writes in one process and verifies and reads back in the next (ROM and stub)", async (chipName) => {
      const file = path.join(dir, `${chipName}.bin`);
      const a = { addr: 0x8000, data: pseudoRandom(3_071, 21) };
      const first = await startSim(chipName, ["--flash-file", file]);
      try {
        await runEsptool(first.host, first.port, { cmd: "write-flash", files: [a] });
      } finally {
        await first.stop();
      }
      const second = await startSim(chipName, ["--flash-file", file]);
      try {
        const v = await runEsptool(second.host, second.port, { cmd: "verify-flash", files: [a] }, { noStub: true });
        expect(v.flash?.digests[0]?.chip).toBe(md5(Uint8Array.from([...a.data, 0xff])));
        const r = await runEsptool(second.host, second.port, { cmd: "read-flash", addr: a.addr, size: a.data.length });
        expect(Buffer.from(r.read?.data ?? []).equals(Buffer.from(a.data))).toBe(true);
      } finally {
        await second.stop();
      }
    });
  });
});

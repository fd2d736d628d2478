/** ROM and stub replies, byte-exact against PROTOCOL.md §1.6, §2, §11. */
import { describe, expect, it } from "vitest";
import { deflateSync } from "node:zlib";
import { createVirtualChip, type VirtualChip } from "../../../adapters/sim/index.js";
import { collect, frame, hex, md5Hex, pseudoRandom, roundTrip, tick, u32, xorChecksum } from "./helpers.js";

const SYNC_DATA = [0x07, 0x07, 0x12, 0x20, ...new Array(32).fill(0x55)];

function romChip(chip: "esp32" | "esp32c3" = "esp32") {
  const c = createVirtualChip({ chip, flashSizeBytes: 0x400000, mac: "24:0a:c4:12:34:56" });
  return { c, out: collect(c) };
}

async function enterStub(c: VirtualChip, out: ReturnType<typeof collect>): Promise<void> {
  const code = Uint8Array.from([1, 2, 3, 4]);
  await roundTrip(c, out, 0x05, [...u32(4), ...u32(1), ...u32(0x1800), ...u32(0x40380000)]);
  await roundTrip(c, out, 0x07, [...u32(4), ...u32(0), ...u32(0), ...u32(0), ...code], xorChecksum(code));
  const frames = await roundTrip(c, out, 0x06, [...u32(0), ...u32(0x40380002)]);
  expect(Buffer.from(frames[1] ?? []).toString()).toBe("OHAI");
}

describe("ROM personality", () => {
  it("answers SYNC with 8 identical replies carrying 0x20120707 and 4 status bytes", async () => {
    const { c, out } = romChip();
    const frames = await roundTrip(c, out, 0x08, SYNC_DATA);
    expect(frames.map(hex)).toEqual(new Array(8).fill("010804000707122000000000"));
  });
  it("READ_REG puts the register in the value field, which then sticks", async () => {
    const { c, out } = romChip();
    expect((await roundTrip(c, out, 0x0a, u32(0x40001000))).map(hex)).toEqual(["010a0400831df00000000000"]);
    expect((await roundTrip(c, out, 0x0a, u32(0x3ff5a004))).map(hex)).toEqual(["010a0400563412c400000000"]); // MAC word: mac[2..5] = c4 12 34 56 as bits 31..0
    expect((await roundTrip(c, out, 0x0a, u32(0x3ff40014))).map(hex)).toEqual(["010a04005b01000000000000"]); // 347
    // the sticky value rides on the next reply (SPI_ATTACH)
    expect((await roundTrip(c, out, 0x0d, new Array(8).fill(0))).map(hex)).toEqual(["010d04005b01000000000000"]);
  });
  it("answers unsupported commands by re-sending the previous reply with 01 05 (§11)", async () => {
    const { c, out } = romChip();
    expect((await roundTrip(c, out, 0x14)).map(hex)).toEqual(["010004000000000001050000"]); // after reset: all zero
    await roundTrip(c, out, 0x0a, u32(0x40001000));
    expect((await roundTrip(c, out, 0x14)).map(hex)).toEqual(["010a0400831df00001050000"]);
    await roundTrip(c, out, 0x08, SYNC_DATA);
    expect((await roundTrip(c, out, 0xd0)).map(hex)).toEqual(new Array(8).fill("010804000707122001050000"));
  });
  it("FLASH_BEGIN payload length: ESP32 16 only, ESP32-C3 20 only; alignment 01 06; erase ceil(size/4K)", async () => {
    const begin = (size: number, offset: number, words = 4) => [...u32(size), ...u32(1), ...u32(0x400), ...u32(offset), ...(words === 5 ? u32(0) : [])];
    const esp32 = romChip("esp32");
    expect(hex((await roundTrip(esp32.c, esp32.out, 0x02, begin(0x1001, 0, 5)))[0]!)).toBe("010204000000000001050000");
    expect(esp32.c.flash.counters.sectorsErased).toBe(0);
    // Success; the error byte of the refused BEGIN stays (FLASH_BEGIN leaves it, observed on the real ROM).
    expect(hex((await roundTrip(esp32.c, esp32.out, 0x02, begin(0x1001, 0x1000)))[0]!)).toBe("010204000000000000050000");
    expect(esp32.c.flash.log.filter((e) => e.kind === "erase-sector").map((e) => e.addr)).toEqual([0x1000, 0x2000]);
    expect(hex((await roundTrip(esp32.c, esp32.out, 0x02, begin(0x800, 0x800)))[0]!)).toBe("010204000000000001060000");
    const c3 = romChip("esp32c3");
    expect(hex((await roundTrip(c3.c, c3.out, 0x02, begin(0x800, 0)))[0]!)).toBe("010204000000000001050000");
    expect(hex((await roundTrip(c3.c, c3.out, 0x02, [...u32(0x800), ...u32(1), ...u32(0x4000), ...u32(0), ...u32(0)]))[0]!)).toBe("010204000000000001050000");
    expect(hex((await roundTrip(c3.c, c3.out, 0x02, begin(0x800, 0, 5)))[0]!)).toBe("010204000000000000050000");
    expect(c3.c.flash.counters.sectorsErased).toBe(1);
  });
  it("FLASH_DATA: checksum 01 07 (the sequence still advances), sequence 01 05, blocks land at a write pointer", async () => {
    const { c, out } = romChip("esp32c3");
    await roundTrip(c, out, 0x02, [...u32(0x800), ...u32(2), ...u32(0x400), ...u32(0x3000), ...u32(0)]);
    const block = pseudoRandom(0x400, 3);
    const packet = (seq: number, b: Uint8Array) => [...u32(b.length), ...u32(seq), ...u32(0), ...u32(0), ...b];
    expect(hex((await roundTrip(c, out, 0x03, packet(0, block), xorChecksum(block) ^ 1))[0]!)).toBe("010304000000000001070000");
    // Observed on the real ROMs: the failed block consumed sequence number 0.
    expect(hex((await roundTrip(c, out, 0x03, packet(0, block), xorChecksum(block)))[0]!)).toBe("010304000000000001050000");
    const short = block.subarray(0, 0x200);
    // A block shorter than the block size is written as is (success, stale error byte).
    expect(hex((await roundTrip(c, out, 0x03, packet(1, short), xorChecksum(short)))[0]!)).toBe("010304000000000000050000");
    expect(hex((await roundTrip(c, out, 0x03, packet(2, block), xorChecksum(block)))[0]!)).toBe("010304000000000000050000");
    expect(Buffer.from(c.flash.bytes.subarray(0x3000, 0x3200)).equals(Buffer.from(short))).toBe(true);
    expect(Buffer.from(c.flash.bytes.subarray(0x3200, 0x3600)).equals(Buffer.from(block))).toBe(true);
    const long = pseudoRandom(0x401, 4);
    expect(hex((await roundTrip(c, out, 0x03, packet(3, long), xorChecksum(long)))[0]!)).toBe("010304000000000001050000");
  });
  it("SPI_FLASH_MD5 answers 32 ASCII hex characters; past the end 01 09", async () => {
    const { c, out } = romChip();
    const f = await roundTrip(c, out, 0x13, [...u32(0), ...u32(0x1000), ...u32(0), ...u32(0)]);
    const expected = md5Hex(new Uint8Array(0x1000).fill(0xff));
    expect(hex(f[0]!)).toBe(`0113240000000000${Buffer.from(expected).toString("hex")}00000000`);
    const bad = await roundTrip(c, out, 0x13, [...u32(0x3ff000), ...u32(0x2000), ...u32(0), ...u32(0)]);
    expect(hex(bad[0]!.subarray(40))).toBe("01090000");
  });
  it("runs the SPI user command engine: RDID and SFDP; CMD bit 18 reads back 0", async () => {
    const { c, out } = romChip("esp32c3");
    const wr = (addr: number, v: number) => roundTrip(c, out, 0x09, [...u32(addr), ...u32(v), ...u32(0xffffffff), ...u32(0)]);
    const rd = async (addr: number) => new DataView((await roundTrip(c, out, 0x0a, u32(addr)))[0]!.buffer).getUint32(4, true);
    await wr(0x60002028, 23);
    await wr(0x60002018, 0x90000000);
    await wr(0x60002020, 0x70000000 | 0x9f);
    await wr(0x60002000, 1 << 18);
    expect(await rd(0x60002000)).toBe(0);
    expect(await rd(0x60002058)).toBe(0x1640c8);
    await wr(0x60002028, 31);
    await wr(0x6000201c, (23 << 26) | 7);
    await wr(0x60002020, 0x70000000 | 0x5a);
    await wr(0x60002004, 0);
    await wr(0x60002000, 1 << 18);
    expect(await rd(0x60002058)).toBe(0x50444653);
  });
  it("MEM_END into the uploaded code: reply first, then OHAI; stub SYNC value 0, 2 status bytes", async () => {
    const { c, out } = romChip("esp32c3");
    await enterStub(c, out);
    expect(c.mode).toBe("stub");
    expect((await roundTrip(c, out, 0x08, SYNC_DATA)).map(hex)).toEqual(new Array(8).fill("01080200000000000000"));
    expect((await roundTrip(c, out, 0x0a, u32(0x40001000))).map(hex)).toEqual(["010a02006f50311b0000"]); // revision v0.3 magic
  });
  it("secure download mode refuses register reads and stub upload with the §1.6 reply", async () => {
    const c = createVirtualChip({ chip: "esp32c3", flashSizeBytes: 0x400000, secureDownloadMode: true });
    const out = collect(c);
    const info = await roundTrip(c, out, 0x14);
    // flags (SECURE_DOWNLOAD_ENABLE), crypt count, key purposes (the 7th 0x0C), chip id 5, api version 3 — as the real C3 ROM fills them
    expect(hex(info[0]!)).toBe("0114180000000000" + "04000000" + "00" + "0000000000000c" + "05000000" + "03000000" + "00000000");
    expect((await roundTrip(c, out, 0x0a, u32(0x40001000))).map(hex)).toEqual(["011404000000000001050000"]);
    expect((await roundTrip(c, out, 0x05, [...u32(4), ...u32(1), ...u32(0x1800), ...u32(0x40380000)])).map(hex)).toEqual(["011404000000000001050000"]);
  });
});

describe("stub personality", () => {
  it("MD5 is 16 raw bytes; flash encryption changes the digest", async () => {
    const { c, out } = romChip("esp32c3");
    await enterStub(c, out);
    const f = await roundTrip(c, out, 0x13, [...u32(0), ...u32(0x1000), ...u32(0), ...u32(0)]);
    expect(hex(f[0]!)).toBe(`0113120000000000${md5Hex(new Uint8Array(0x1000).fill(0xff))}0000`);
    c.flashEncryption = true;
    const g = await roundTrip(c, out, 0x13, [...u32(0), ...u32(0x1000), ...u32(0), ...u32(0)]);
    expect(hex(g[0]!.subarray(8, 24))).not.toBe(md5Hex(new Uint8Array(0x1000).fill(0xff)));
  });
  it("READ_FLASH sends one packet per acknowledgement, then the MD5 frame", async () => {
    const { c, out } = romChip("esp32c3");
    const data = pseudoRandom(0x1800, 8);
    c.flash.program(0x5000, data);
    await enterStub(c, out);
    let frames = await roundTrip(c, out, 0xd2, [...u32(0x5000), ...u32(0x1800), ...u32(0x1000), ...u32(64)]);
    expect(frames.map((f) => f.length)).toEqual([10, 0x1000]); // OK reply + first packet only
    out.clear();
    c.receive(frame(u32(0x1000)));
    await tick();
    frames = out.frames();
    expect(frames.map((f) => f.length)).toEqual([0x800]);
    out.clear();
    c.receive(frame(u32(0x1800)));
    await tick();
    expect(out.frames().map(hex)).toEqual([md5Hex(data)]);
    // Packets above 4 KiB: accepted, then refused after the reply — the next command carries BAD_DATA_LEN.
    expect(hex((await roundTrip(c, out, 0xd2, [...u32(0), ...u32(16), ...u32(0x1001), ...u32(1)]))[0]!)).toBe("01d20200000000000000");
    expect(hex((await roundTrip(c, out, 0x0a, u32(0x40001000)))[0]!)).toBe("010a020000000000c000");
  });
  it("compressed write split at odd boundaries; lazy erase; FLASH_END with bytes pending → 0xC0", async () => {
    const { c, out } = romChip("esp32c3");
    await enterStub(c, out);
    const data = Buffer.concat([Buffer.from(pseudoRandom(9000, 4)), Buffer.alloc(80_000, 0x5a)]);
    const z = deflateSync(data, { level: 9 });
    c.flash.resetCounters();
    expect(hex((await roundTrip(c, out, 0x10, [...u32(data.length), ...u32(3), ...u32(0x4000), ...u32(0x10000)]))[0]!)).toBe("01100200000000000000");
    const cuts = [0, 7, 1001, z.length];
    for (let i = 0; i < 3; i++) {
      const part = z.subarray(cuts[i], cuts[i + 1]);
      const r = await roundTrip(c, out, 0x11, [...u32(part.length), ...u32(i), ...u32(0), ...u32(0), ...part], xorChecksum(part));
      expect(hex(r[0]!)).toBe("01110200000000000000");
    }
    expect(Buffer.from(c.flash.bytes.subarray(0x10000, 0x10000 + data.length)).equals(data)).toBe(true);
    // 89 000 bytes from 0x10000: one 64 KiB block, then 6 sectors up to 0x26000.
    expect([c.flash.counters.blocksErased, c.flash.counters.sectorsErased]).toEqual([1, 6]);
    expect(hex((await roundTrip(c, out, 0x12, u32(1)))[0]!)).toBe("01120200000000000000");
    await roundTrip(c, out, 0x02, [...u32(100), ...u32(1), ...u32(0x4000), ...u32(0x40000)]);
    expect(hex((await roundTrip(c, out, 0x04, u32(1)))[0]!)).toBe("0104020000000000c000");
  });
  it("ERASE_REGION: unaligned → 0xC0; aligned erases blocks where possible", async () => {
    const { c, out } = romChip("esp32c3");
    await enterStub(c, out);
    expect(hex((await roundTrip(c, out, 0xd1, [...u32(0x1001), ...u32(0x1000)]))[0]!)).toBe("01d1020000000000c000");
    c.flash.resetCounters();
    expect(hex((await roundTrip(c, out, 0xd1, [...u32(0xf000), ...u32(0x12000)]))[0]!)).toBe("01d10200000000000000");
    expect([c.flash.counters.sectorsErased, c.flash.counters.blocksErased]).toEqual([2, 1]);
  });
  it("a deferred write error answers the next command instead of running it", async () => {
    const { c, out } = romChip("esp32c3");
    await enterStub(c, out);
    const bad = Uint8Array.from([0x78, 0x9c, 0xff, 0xff, 0xff]);
    await roundTrip(c, out, 0x10, [...u32(100), ...u32(1), ...u32(0x4000), ...u32(0)]);
    expect(hex((await roundTrip(c, out, 0x11, [...u32(5), ...u32(0), ...u32(0), ...u32(0), ...bad], xorChecksum(bad)))[0]!)).toBe("01110200000000000000");
    expect(hex((await roundTrip(c, out, 0x0a, u32(0x40001000)))[0]!)).toBe("010a020000000000c700");
  });
});

/** SLIP codec and NOR flash model. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SlipDecoder, slipEncode } from "../../../adapters/sim/slip.js";
import { FlashModel } from "../../../adapters/sim/flash-model.js";
import { IncrementalInflate } from "../../../adapters/sim/inflate.js";
import { deflateSync } from "node:zlib";
import { pseudoRandom } from "./helpers.js";

describe("SLIP", () => {
  it("escapes C0 and DB exactly", () => {
    expect(Array.from(slipEncode(Uint8Array.from([1, 0xc0, 2, 0xdb, 3])))).toEqual([0xc0, 1, 0xdb, 0xdc, 2, 0xdb, 0xdd, 3, 0xc0]);
  });
  it("decodes frames split at every byte, skipping junk and empty frames", () => {
    const d = new SlipDecoder();
    const wire = [...Buffer.from("ets Jul 29\r\n"), 0xc0, 0xc0, 0xc0, 1, 0xdb, 0xdc, 2, 0xc0, ...Buffer.from("junk"), 0xc0, 0xdb, 0xdd, 0xc0];
    const frames: number[][] = [];
    for (const b of wire) for (const f of d.push(Uint8Array.of(b))) frames.push(Array.from(f));
    expect(frames).toEqual([[1, 0xc0, 2], [0xdb]]);
  });
  it("drops a frame with an invalid escape and resynchronises", () => {
    const d = new SlipDecoder();
    expect(d.push(Uint8Array.from([0xc0, 1, 0xdb, 0x01, 2, 0xc0, 0xc0, 7, 0xc0])).map((f) => Array.from(f))).toEqual([[7]]);
  });
});

describe("NOR flash model", () => {
  it("programs as old AND new, erases by sector and block, counts and logs", () => {
    const f = new FlashModel(0x200000);
    expect(f.program(0x1000, Uint8Array.from([0xf0, 0x0f]))).toBe(true);
    expect(f.program(0x1000, Uint8Array.from([0x3c, 0xff]))).toBe(false); // without erase: AND
    expect(Array.from(f.bytes.subarray(0x1000, 0x1002))).toEqual([0x30, 0x0f]);
    f.eraseSector(0x1fff);
    expect(f.bytes[0x1000]).toBe(0xff);
    f.program(0x20000, Uint8Array.from([0]));
    f.program(0x2ffff, Uint8Array.from([0]));
    f.program(0x30000, Uint8Array.from([0]));
    f.eraseBlock(0x2abcd);
    expect([f.bytes[0x20000], f.bytes[0x2ffff], f.bytes[0x30000]]).toEqual([0xff, 0xff, 0]);
    expect(f.counters).toMatchObject({ sectorsErased: 1, blocksErased: 1, bytesProgrammed: 7 });
    expect(f.log.filter((e) => e.kind !== "program")).toEqual([
      { kind: "erase-sector", addr: 0x1000, sizeBytes: 0x1000 },
      { kind: "erase-block", addr: 0x20000, sizeBytes: 0x10000 },
    ]);
    f.resetCounters();
    expect(f.counters.sectorsErased + f.log.length).toBe(0);
  });
  it("digests arbitrary ranges", () => {
    const f = new FlashModel(0x200000);
    const data = pseudoRandom(5000, 5);
    f.program(0x1234, data);
    const expected = new Uint8Array(7000).fill(0xff);
    expected.set(data, 0x1234 - 0x1000);
    expect(Buffer.from(f.digest(0x1000, 7000)).toString("hex")).toBe(createHash("md5").update(expected).digest("hex"));
    expect(() => f.digest(0x1ff000, 0x2000)).toThrow(/outside/);
  });
  it("rejects sizes that are not 2–16 MiB powers of two", () => {
    expect(() => new FlashModel(0x300000)).toThrow(/unsupported/);
  });
});

describe("incremental inflate", () => {
  it("inflates a zlib stream fed in odd-sized pieces", () => {
    const data = Buffer.concat([Buffer.from(pseudoRandom(30_000, 2)), Buffer.alloc(50_000, 0x41)]);
    const z = deflateSync(data, { level: 9 });
    const inf = new IncrementalInflate();
    const out: Buffer[] = [];
    for (let at = 0, step = 1; at < z.length; at += step, step = step * 2 + 1) out.push(Buffer.from(inf.push(z.subarray(at, at + step))));
    expect(Buffer.concat(out).equals(data)).toBe(true);
    expect(inf.done).toBe(true);
  });
});

describe("flash file persistence", () => {
  it("creates an erased file, saves changes, reloads them, and refuses a size mismatch", async () => {
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { createVirtualChip } = await import("../../../adapters/sim/index.js");
    const path = join(mkdtempSync(join(tmpdir(), "espsync-sim-")), "flash.bin");
    const a = createVirtualChip({ chip: "esp32c3", flashSizeBytes: 0x200000, flashFile: path });
    expect(readFileSync(path).every((b) => b === 0xff)).toBe(true);
    a.flash.program(0x1000, Uint8Array.from([1, 2, 3]));
    a.flushFlashFile();
    const b = createVirtualChip({ chip: "esp32c3", flashSizeBytes: 0x200000, flashFile: path });
    expect(Array.from(b.flash.bytes.subarray(0x1000, 0x1003))).toEqual([1, 2, 3]);
    expect(() => createVirtualChip({ chip: "esp32c3", flashSizeBytes: 0x400000, flashFile: path })).toThrow(/holds 2097152 bytes/);
  });
});

/**
 * The simulator's incremental inflate, as the loaders use it for FLASH_DEFL_DATA blocks: output
 * per block, the end of the stream, and failures, which must match the chips' decoder (the
 * agreement tests under QEMU check the same streams against the real ESP32 ROM and stub).
 */
import { constants, deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { IncrementalInflate, InflateError } from "../../../adapters/sim/inflate.js";
import { handmadeData, handmadeZlib } from "./handmade-deflate.js";
import { pseudoRandom } from "./helpers.js";

/** Compressible and incompressible stretches, so the stream has dynamic, fixed and stored blocks. */
const DATA = Buffer.concat([Buffer.from(pseudoRandom(70_000, 3)), Buffer.alloc(90_000, 0x5a), Buffer.from(pseudoRandom(20_000, 4)), Buffer.from("espsync ".repeat(4000))]);

/** Splits `stream` into blocks of the given sizes (cycled), as a host splits FLASH_DEFL_DATA. */
function blocks(stream: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, i = 0; at < stream.length; i++) {
    const n = sizes[i % sizes.length] as number;
    out.push(stream.subarray(at, at + n));
    at += n;
  }
  return out;
}

describe("incremental inflate", () => {
  it.each([
    ["the stub's 16 KiB blocks", [0x4000]],
    ["the ROM's 1 KiB blocks", [0x400]],
    ["odd sizes, with empty blocks", [1, 0, 7, 300, 0, 4093, 2]],
  ])("each block yields everything the stream decodes to so far (%s)", (_, sizes) => {
    for (const level of [1, 9]) {
      const z = deflateSync(DATA, { level });
      const inf = new IncrementalInflate();
      let fed = 0;
      let total = 0;
      for (const block of blocks(z, sizes)) {
        const out = inf.push(block);
        fed += block.length;
        // zlib with a sync flush on the prefix: all it can decode so far, nothing held back.
        const upTo = fed < z.length ? inflateSync(z.subarray(0, fed), { finishFlush: constants.Z_SYNC_FLUSH }) : DATA;
        expect(Buffer.from(out).equals(upTo.subarray(total))).toBe(true);
        total += out.length;
        expect(inf.done).toBe(fed >= z.length);
      }
      expect(total).toBe(DATA.length);
    }
  });

  it("bytes after the end of the stream are ignored", () => {
    const z = deflateSync(Buffer.from("tail"));
    const inf = new IncrementalInflate();
    expect(Buffer.from(inf.push(Buffer.concat([z, Buffer.from([0, 0, 0, 0x78])]))).toString()).toBe("tail");
    expect(inf.done).toBe(true);
    expect(inf.push(Buffer.from("more")).length).toBe(0);
  });

  it.each([
    ["not a zlib stream", Buffer.from("not a zlib stream at all")],
    ["a gzip stream", Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])],
    ["a preset dictionary", Buffer.from([0x78, 0xbb, 0, 0, 0, 0])],
    ["a window larger than 32 KiB", Buffer.from([0x88, 0x1c, 3, 0])],
  ])("rejects %s at its header", (_, stream) => {
    expect(() => new IncrementalInflate().push(stream)).toThrow(InflateError);
  });

  it("rejects a wrong Adler-32 in the block that carries it, after the data before it", () => {
    const data = Buffer.alloc(5000, 0x33);
    const z = Buffer.from(deflateSync(data));
    z[z.length - 1] = (z[z.length - 1] as number) ^ 1;
    const inf = new IncrementalInflate();
    expect(Buffer.from(inf.push(z.subarray(0, z.length - 4))).equals(data)).toBe(true);
    expect(() => inf.push(z.subarray(z.length - 4))).toThrow(InflateError);
    expect(inf.done).toBe(false);
  });

  it("rejects an over-subscribed Huffman table even when none of its codes is used, as the chips' decoder does", () => {
    expect(Buffer.from(new IncrementalInflate().push(handmadeZlib(0x400, 2))).equals(handmadeData(0x400))).toBe(true);
    const bad = handmadeZlib(0x400, 3);
    expect(() => inflateSync(bad)).toThrow(/invalid distances set/);
    const inf = new IncrementalInflate();
    expect(() => inf.push(bad.subarray(0, 200))).toThrow(InflateError);
    // The stream stays failed (the real ROM answers its inflate error to the next block too).
    expect(() => inf.push(bad.subarray(200))).toThrow(InflateError);
    expect(inf.done).toBe(false);
  });
});

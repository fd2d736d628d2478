import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EspsyncError } from "../../src/errors.js";
import { patchBootloader } from "../../src/image/index.js";
import { makeImage } from "./make-image.js";

describe("patchBootloader", () => {
  it.each([
    // chip, chip id, settings, expected bytes 2 and 3 (PROTOCOL.md §5.3)
    ["esp32", 0, { flashMode: "dio", flashFreq: "40m", flashSize: "4MB" }, 0x02, 0x20],
    ["esp32c3", 5, { flashMode: "qio", flashFreq: "80m", flashSize: "16MB" }, 0x00, 0x4f],
    ["esp32c2", 12, { flashMode: "dout", flashFreq: "60m", flashSize: "2MB" }, 0x03, 0x1f],
    ["esp32c2", 12, { flashFreq: "15m" }, 0x02, 0x12],
    ["esp32h2", 16, { flashFreq: "48m", flashSize: "detect" }, 0x02, 0x3f],
  ] as const)("%s %o → bytes 2–3 = %i %i, SHA recomputed", (chip, chipId, settings, b2, b3) => {
    const original = makeImage({ chipId, flashMode: 2, sizeFreq: 0x10 });
    const { data, patched, shaUpdated } = patchBootloader(original, chip, settings, 8 << 20);
    expect(patched).toBe(true);
    expect(shaUpdated).toBe(true);
    const expected = Uint8Array.from(original);
    expected[2] = b2;
    expected[3] = b3;
    const dataLength = original.length - 32;
    expected.set(createHash("sha256").update(expected.subarray(0, dataLength)).digest(), dataLength);
    expect([...data]).toEqual([...expected]);
    expect([...original.subarray(2, 4)]).toEqual([2, 0x10]); // input untouched
  });

  it("returns the input unchanged for keep, or when the header already matches", () => {
    const img = makeImage({ flashMode: 2, sizeFreq: 0x1f });
    expect(patchBootloader(img, "esp32c3", {}).data).toBe(img);
    expect(patchBootloader(img, "esp32c3", { flashMode: "dio", flashFreq: "80m", flashSize: "2MB" }).patched).toBe(false);
    expect(patchBootloader(img, "esp32c3", { flashSize: "detect" }, 0).patched).toBe(false);
  });

  it("keeps the bytes after the digest (merged images) and refuses unknown values", () => {
    const img = makeImage({ hashByte: 1 });
    const merged = Uint8Array.from([...img, 1, 2, 3, 4]);
    const out = patchBootloader(merged, "esp32c3", { flashMode: "qio" }).data;
    expect([...out.subarray(-4)]).toEqual([1, 2, 3, 4]);
    expect(() => patchBootloader(img, "esp32c2", { flashFreq: "80m" })).toThrow(EspsyncError);
    expect(() => patchBootloader(img, "esp32", { flashMode: "fast" })).toThrow(/unknown flash mode/);
  });
});

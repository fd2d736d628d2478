import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseAppDescription, parseEspImage, parsePartitionTable } from "../../src/image/index.js";
import { DEFAULT_PARTS, makeApp, makeImage, makePartitionTable } from "./make-image.js";

describe("parseEspImage", () => {
  it("reads header, extended header, segments, checksum and SHA-256", () => {
    const seg0 = Uint8Array.from({ length: 16 }, (_, i) => i);
    const seg1 = Uint8Array.from({ length: 8 }, (_, i) => 0x80 + i);
    const bytes = makeImage({ chipId: 13, minRevFull: 101, segments: [{ addr: 0x3fc00000, data: seg0 }, { addr: 0x40800000, data: seg1 }] });
    const info = parseEspImage(bytes);
    // 24 header + 8+16 + 8+8 = 64 → checksum at 79 (64 ≡ 0 mod 16 → pad to 79), data length 80.
    expect(info).toMatchObject({
      valid: true,
      problems: [],
      segmentCount: 2,
      flashModeName: "dio",
      flashSizeFreq: 0x1f,
      ext: { chipId: 13, minRevFull: 101, maxRevFull: 0xffff, hashAppended: 1, wpPin: 0xee },
      segments: [
        { loadAddr: 0x3fc00000, fileOffset: 32, sizeBytes: 16 },
        { loadAddr: 0x40800000, fileOffset: 56, sizeBytes: 8 },
      ],
      dataLengthBytes: 80,
      imageLengthBytes: 112,
    });
    let x = 0xef;
    for (const b of [...seg0, ...seg1]) x ^= b;
    expect(info.checksum).toEqual({ stored: x, computed: x, valid: true });
    expect(info.sha256?.stored).toBe(createHash("sha256").update(bytes.subarray(0, 80)).digest("hex"));
    expect(bytes.length).toBe(112);
  });

  it.each([
    ["bad magic", (b: Uint8Array) => (b[0] = 0xe8), /magic byte is 0xe8/],
    ["too many segments", (b: Uint8Array) => (b[1] = 17), /segment count is 17/],
    ["hash flag not 0/1", (b: Uint8Array) => (b[23] = 2), /byte 15 .* is 2/],
    ["bad checksum", (b: Uint8Array) => (b[79] = (b[79] as number) ^ 1), /checksum is/],
    ["bad SHA-256", (b: Uint8Array) => (b[100] = (b[100] as number) ^ 1), /appended SHA-256 is/],
    ["segment past the end", (b: Uint8Array) => (b[28] = 0xff), /runs past the end/],
  ])("reports %s", (_name, mutate, reason) => {
    const seg = { addr: 0x3fc00000, data: new Uint8Array(40).fill(3) };
    const bytes = makeImage({ segments: [seg] });
    mutate(bytes);
    const info = parseEspImage(bytes);
    expect(info.valid).toBe(false);
    expect(info.problems.join("; ")).toMatch(reason);
  });

  it("reports a missing digest when the file is truncated", () => {
    const bytes = makeImage().subarray(0, -10);
    expect(parseEspImage(bytes).problems.join()).toMatch(/SHA-256 digest .* past the end/);
  });

  it("accepts an image without digest (hash byte 0)", () => {
    const info = parseEspImage(makeImage({ hashByte: 0 }));
    expect(info.valid).toBe(true);
    expect(info.sha256).toBeUndefined();
  });

  it("reads the app description", () => {
    const bytes = makeApp({ project: "blink", version: "2.1" });
    const desc = parseAppDescription(bytes, parseEspImage(bytes));
    expect(desc).toMatchObject({ projectName: "blink", version: "2.1", idfVersion: "v5.2.2", secureVersion: 0 });
  });
});

describe("parsePartitionTable", () => {
  it("reads entries with type and subtype names and checks the MD5 entry", () => {
    const table = parsePartitionTable(makePartitionTable(DEFAULT_PARTS));
    expect(table.valid).toBe(true);
    expect(table.entries.map((e) => [e.label, e.typeName, e.subtypeName, e.offset, e.sizeBytes])).toEqual([
      ["nvs", "data", "nvs", 0x9000, 0x6000],
      ["phy_init", "data", "phy", 0xf000, 0x1000],
      ["factory", "app", "factory", 0x10000, 0x100000],
    ]);
    expect(table.md5?.valid).toBe(true);
  });

  it("rejects an MD5 mismatch, overlapping partitions and a bad entry magic", () => {
    expect(parsePartitionTable(makePartitionTable(DEFAULT_PARTS, { badMd5: true })).problems.join()).toMatch(/MD5 entry/);
    const overlapping = makePartitionTable([...DEFAULT_PARTS, { type: 1, subtype: 0x82, offset: 0x100000, size: 0x10000, label: "spiffs" }]);
    expect(parsePartitionTable(overlapping).problems.join()).toMatch(/"factory" .* and "spiffs" .* overlap/);
    const bad = makePartitionTable(DEFAULT_PARTS);
    bad[32] = 0x12;
    expect(parsePartitionTable(bad).problems.join()).toMatch(/offset 0x20 has magic 1250/);
  });
});

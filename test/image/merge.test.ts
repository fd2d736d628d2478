/**
 * Merged images from generated image sets: the raw file is every part at its offset over 0xFF; the
 * Intel HEX text is record for record what the `intelhex` package (esptool's HEX writer) writes; UF2
 * blocks read back, by a reader written from the UF2 description, to the same bytes, with esptool's
 * family ids, flags and MD5 entries; and every refusal has its code and a hint.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EspsyncError } from "../../src/errors.js";
import { buildImageSet, mergeImageSet, toIntelHex, toUf2, type ImageChip, type LoadedFile, type MergeOptions } from "../../src/image/index.js";
import { flatten, readIntelHex, readUf2, uf2Chunks } from "./format-readers.js";
import { DEFAULT_PARTS, makeApp, makeImage, makePartitionTable } from "./make-image.js";

const bootloader = makeImage({ chipId: 5 });
const table = makePartitionTable(DEFAULT_PARTS);
const app = makeApp({ chipId: 5, project: "merge-test", padTo: 6000 });

function files(extra: LoadedFile[] = []): LoadedFile[] {
  return [
    { addr: 0x0, path: "bootloader.bin", bytes: bootloader },
    { addr: 0x8000, path: "partition-table.bin", bytes: table },
    { addr: 0x10000, path: "app.bin", bytes: app },
    ...extra,
  ];
}

function merge(options: MergeOptions, loaded = files(), chip?: ImageChip): ReturnType<typeof mergeImageSet> {
  return mergeImageSet(buildImageSet(loaded, chip === undefined ? {} : { chip }), options);
}

function refusal(run: () => unknown): EspsyncError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(EspsyncError);
    expect((e as EspsyncError).hint?.length).toBeGreaterThan(5);
    return e as EspsyncError;
  }
  throw new Error("expected a refusal");
}

/** The flash the three generated files make: each at its address over erased flash. */
function expectedFlash(start: number, end: number): Buffer {
  return flatten([{ addr: 0, bytes: bootloader }, { addr: 0x8000, bytes: table }, { addr: 0x10000, bytes: app }], start, end);
}

describe("mergeImageSet: raw", () => {
  it("places every file at its address from the lowest one, gaps 0xFF, ending with the last file", () => {
    const merged = merge({ format: "raw" });
    expect(merged.addr).toBe(0);
    expect(merged.data.length).toBe(0x10000 + app.length);
    expect(Buffer.from(merged.data)).toEqual(expectedFlash(0, 0x10000 + app.length));
    expect(merged.parts.map((p) => [p.addr, p.kind, p.sizeBytes])).toEqual([[0, "bootloader", bootloader.length], [0x8000, "partition-table", table.length], [0x10000, "app", app.length]]);
  });

  it("--fill-flash-size pads to the flash size; --target-offset starts the file lower", () => {
    const filled = merge({ format: "raw", fillToBytes: 0x400000 });
    expect(filled.data.length).toBe(0x400000);
    // Buffer.compare: a deep equality of 4 MiB is slow and prints nothing useful anyway.
    expect(Buffer.compare(Buffer.from(filled.data), expectedFlash(0, 0x400000))).toBe(0);
    // Without the bootloader the file would start at 0x8000; asked for 0x0 it starts there.
    const noBoot = files().slice(1);
    expect(merge({ format: "raw" }, noBoot).addr).toBe(0x8000);
    const low = merge({ format: "raw", targetOffset: 0 }, noBoot);
    expect(low.addr).toBe(0);
    expect(Buffer.from(low.data.subarray(0, 0x8000)).every((b) => b === 0xff)).toBe(true);
    expect(Buffer.from(low.data.subarray(0x8000, 0x8000 + table.length))).toEqual(Buffer.from(table));
  });

  it("patches the bootloader header and its SHA-256, as flash would write it", () => {
    const set = buildImageSet(files(), { chip: "esp32c3", flashSettings: { flashMode: "dout", flashFreq: "40m", flashSize: "4MB" } });
    const merged = mergeImageSet(set, {});
    expect(merged.parts[0]?.patched).toBe(true);
    const boot = merged.data.subarray(0, bootloader.length);
    expect([boot[2], boot[3]]).toEqual([3, 0x20]); // dout; 4MB (0x20) | 40m (0x0), PROTOCOL.md §5.3
    const dataLength = bootloader.length - 32;
    expect(Buffer.from(boot.subarray(dataLength))).toEqual(createHash("sha256").update(boot.subarray(0, dataLength)).digest());
    // What flash writes for the same set: the region's bytes before their sector padding.
    expect(Buffer.from(boot)).toEqual(Buffer.from(set.regions[0]!.data.subarray(0, bootloader.length)));
  });
});

describe("Intel HEX", () => {
  it("writes the records the intelhex package writes (extended linear address records, 16-byte records, no 64 KiB crossing)", () => {
    const text = toIntelHex([
      { addr: 0xfff8, bytes: Uint8Array.from({ length: 20 }, (_, i) => i) },
      { addr: 0x1000c, bytes: new Uint8Array(5).fill(0xaa) },
      { addr: 0x10011, bytes: new Uint8Array(3).fill(0xbb) },
      { addr: 0x30000, bytes: Uint8Array.of(1, 2) },
    ]);
    // intelhex 2.3 IntelHex.write_hex_file() for the same bytes.
    expect(text).toBe([
      ":020000040000FA", ":08FFF8000001020304050607E5", ":020000040001F9", ":1000000008090A0B0C0D0E0F10111213AAAAAAAAA6",
      ":04001000AABBBBBB11", ":020000040003F7", ":020000000102FB", ":00000001FF", "",
    ].join("\n"));
    expect(toIntelHex([{ addr: 0x100, bytes: Uint8Array.from({ length: 40 }, (_, i) => i) }])).toBe([
      ":10010000000102030405060708090A0B0C0D0E0F77", ":10011000101112131415161718191A1B1C1D1E1F67", ":080120002021222324252627BB", ":00000001FF", "",
    ].join("\n"));
  });

  it("a merged set reads back to the raw file's bytes", () => {
    const hex = merge({ format: "hex" });
    const raw = merge({ format: "raw" });
    const chunks = readIntelHex(Buffer.from(hex.data).toString("ascii"));
    expect(flatten(chunks, 0, raw.data.length)).toEqual(Buffer.from(raw.data));
    // Nothing is written for the gaps.
    expect(chunks.reduce((n, c) => n + c.bytes.length, 0)).toBe(bootloader.length + table.length + app.length);
  });
});

describe("UF2", () => {
  it("blocks of 452 bytes with MD5 entries, the chip's family id, per-file block numbers, as esptool writes them", () => {
    const merged = merge({ format: "uf2" });
    expect(merged.familyId).toBe(0xd42ba06c); // esptool targets/esp32c3.py UF2_FAMILY_ID
    const blocks = readUf2(merged.data);
    const perFile = [bootloader.length, table.length, app.length].map((n) => Math.ceil(n / 452));
    expect(blocks.length).toBe(perFile.reduce((a, b) => a + b, 0));
    expect(new Set(blocks.map((b) => b.flags))).toEqual(new Set([0x2000 | 0x4000]));
    expect(new Set(blocks.map((b) => b.familyId))).toEqual(new Set([0xd42ba06c]));
    expect(blocks.slice(0, perFile[0]).map((b) => [b.blockNo, b.numBlocks])).toEqual(Array.from({ length: perFile[0]! }, (_, i) => [i, perFile[0]]));
    for (const b of blocks) {
      // The MD5 entry follows the payload (for a full block: the last 24 bytes of data[], as the format says).
      const entry = Buffer.from(b.data.subarray(b.payloadSize, b.payloadSize + 24));
      expect(entry.readUInt32LE(0)).toBe(b.targetAddr);
      expect(entry.readUInt32LE(4)).toBe(b.payloadSize);
      expect(entry.subarray(8).toString("hex")).toBe(createHash("md5").update(b.payload).digest("hex"));
    }
    expect(flatten(uf2Chunks(blocks), 0, merge({ format: "raw" }).data.length)).toEqual(Buffer.from(merge({ format: "raw" }).data));
  });

  it("--chunk-size 256 --md5-disable: 256-byte payloads, family flag only, zero padding", () => {
    const blocks = readUf2(toUf2([{ addr: 0x1000, bytes: new Uint8Array(600).fill(7) }], 0x1c5f21b0, { chunkSizeBytes: 256, md5: false }));
    expect(blocks.map((b) => [b.targetAddr, b.payloadSize, b.blockNo, b.numBlocks, b.flags, b.familyId])).toEqual([
      [0x1000, 256, 0, 3, 0x2000, 0x1c5f21b0], [0x1100, 256, 1, 3, 0x2000, 0x1c5f21b0], [0x1200, 88, 2, 3, 0x2000, 0x1c5f21b0],
    ]);
    expect(blocks[2]!.data.subarray(88).every((b) => b === 0)).toBe(true);
    expect(() => toUf2([], 0, { chunkSizeBytes: 254 })).toThrow(/not a multiple of 4 from 4 to 452/);
    expect(() => toUf2([], 0, { chunkSizeBytes: 476 })).toThrow(/from 4 to 452/);
    expect(toUf2([], 0, { chunkSizeBytes: 476, md5: false }).length).toBe(0);
  });
});

describe("mergeImageSet: refusals, as before a flash", () => {
  it("overlapping files: LAYOUT_OVERLAP", () => {
    const e = refusal(() => merge({}, files([{ addr: 0x11000, path: "data.bin", bytes: new Uint8Array(0x100).fill(1) }])));
    expect(e.code).toBe("LAYOUT_OVERLAP");
    expect(e.message).toBe(`app.bin at 0x00010000..0x${(0x10000 + app.length).toString(16).padStart(8, "0")} overlaps data.bin at 0x00011000..0x00011100`);
  });

  it("an unaligned address: ADDRESS_UNALIGNED; images for another chip: CHIP_MISMATCH", () => {
    expect(refusal(() => merge({}, files([{ addr: 0x200800, path: "data.bin", bytes: Uint8Array.of(1) }]))).code).toBe("ADDRESS_UNALIGNED");
    const e = refusal(() => merge({}, files(), "esp32s3"));
    expect(e.code).toBe("CHIP_MISMATCH");
    expect(e.message).toMatch(/^bootloader\.bin at 0x00000000 is built for esp32c3 \(chip id 5\), but the chip of the merge is esp32s3$/);
  });

  it("raw-only options with hex/uf2, a target offset after the first file or off a sector, a fill below the data", () => {
    expect(refusal(() => merge({ format: "hex", targetOffset: 0 })).code).toBe("USAGE");
    expect(refusal(() => merge({ format: "uf2", fillToBytes: 0x400000 })).code).toBe("USAGE");
    expect(refusal(() => merge({ format: "raw", uf2: { chunkSizeBytes: 256 } })).code).toBe("USAGE");
    expect(refusal(() => merge({ targetOffset: 0x1000 })).message).toBe("--target-offset 0x00001000 is after bootloader.bin at 0x00000000, the first part");
    expect(refusal(() => merge({ targetOffset: 0x800 })).code).toBe("ADDRESS_UNALIGNED");
    const e = refusal(() => merge({ fillToBytes: 0x10000 }));
    expect([e.code, e.message]).toEqual(["LAYOUT_OUT_OF_RANGE", `the merged parts end at 0x${(0x10000 + app.length).toString(16).padStart(8, "0")}, past --fill-flash-size 0x00010000`]);
  });

  it("UF2 or header patching without a known chip: USAGE naming --chip", () => {
    // Data files only: nothing names the chip.
    const data: LoadedFile[] = [{ addr: 0x100000, path: "fs.bin", bytes: new Uint8Array(0x1000).fill(3) }];
    expect(refusal(() => merge({ format: "uf2" }, data)).message).toMatch(/UF2 blocks carry the chip's family id/);
    const set = buildImageSet(data, { flashSettings: { flashMode: "dio" } });
    expect(refusal(() => mergeImageSet(set, {})).message).toMatch(/--flash-mode patch the bootloader/);
  });
});

/**
 * CSV partition tables against ESP-IDF's gen_esp32part.py: the tables ESP-IDF built for the shared
 * firmware, the built-in and documented CSVs (expected bytes written here with the independent
 * builder of make-image.ts, or the MD5 of what gen_esp32part.py of ESP-IDF v6.0.2 writes for the same
 * text), ESP-IDF's own unit-test examples, and every refusal with its line and column.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EspsyncError } from "../../src/errors.js";
import { compilePartitionCsv, layoutPartitionCsv, parsePartitionTable, partitionTableFromFile } from "../../src/image/index.js";
import { FIRMWARE_DIR, HAS_FIRMWARE, NO_FIRMWARE } from "../cli/sim-rig.js";
import { makePartitionTable, type Part } from "./make-image.js";
import { TWO_OTA_CSV } from "./idf-partition-csvs.js";

const md5 = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("hex");
const MiB = 0x100000;

/** ESP-IDF components/partition_table/partitions_singleapp.csv (v5.2.2 and later). */
const SINGLE_APP_CSV = `# Name,   Type, SubType, Offset,  Size, Flags
# Note: if you have increased the bootloader size, make sure to update the offsets to avoid overlap
nvs,      data, nvs,     ,        0x6000,
phy_init, data, phy,     ,        0x1000,
factory,  app,  factory, ,        1M,
`;
/** The same table as ESP-IDF's partition table guide prints it ("Single factory app, no OTA"). */
const SINGLE_APP_SUMMARY = `# ESP-IDF Partition Table
# Name,   Type, SubType, Offset,  Size, Flags
nvs,      data, nvs,     0x9000,  0x6000,
phy_init, data, phy,     0xf000,  0x1000,
factory,  app,  factory, 0x10000, 1M,
`;
/** partitions_singleapp_large.csv. */
const SINGLE_APP_LARGE_CSV = `# Name,   Type, SubType, Offset,  Size, Flags
nvs,      data, nvs,     ,        0x6000,
phy_init, data, phy,     ,        0x1000,
factory,  app,  factory, ,        1500K,
`;
/** The guide's "input CSV for the OTA partition table" (Creating Custom Tables). */
const GUIDE_OTA_INPUT = `# Name,   Type, SubType,  Offset,   Size,  Flags
nvs,      data, nvs,      0x9000,  0x4000
otadata,  data, ota,      0xd000,  0x2000
phy_init, data, phy,      0xf000,  0x1000
factory,  app,  factory,  0x10000,  1M
ota_0,    app,  ota_0,    ,         1M
ota_1,    app,  ota_1,    ,         1M
nvs_key,  data, nvs_keys, ,        0x1000
`;

const part = (label: string, type: number, subtype: number, offset: number, size: number): Part => ({ label, type, subtype, offset, size });

describe.skipIf(!HAS_FIRMWARE)(`the tables ESP-IDF built for the shared firmware (skipped when ${NO_FIRMWARE})`, () => {
  const tables = HAS_FIRMWARE
    ? ["idf-hello-v5.1", "idf-hello-v5.2", "idf-hello-v5.3"].flatMap((v) =>
      readdirSync(path.join(FIRMWARE_DIR, v)).map((chip) => ({ v, chip, file: path.join(FIRMWARE_DIR, v, chip, "partition-table.bin") })))
    : [];

  it.each(tables)("$v/$chip: the single-app CSV compiles to partition-table.bin byte for byte", ({ file }) => {
    const built = new Uint8Array(readFileSync(file));
    expect(Buffer.from(compilePartitionCsv(SINGLE_APP_CSV, "partitions_singleapp.csv"))).toEqual(Buffer.from(built));
    expect(Buffer.from(compilePartitionCsv(SINGLE_APP_SUMMARY, "summary.csv"))).toEqual(Buffer.from(built));
  });
});

describe("compilePartitionCsv: the built-in and documented tables", () => {
  it("single app: nvs, phy_init, factory at the offsets the guide prints, plus MD5 entry and 0xFF padding", () => {
    const expected = makePartitionTable([part("nvs", 1, 2, 0x9000, 0x6000), part("phy_init", 1, 1, 0xf000, 0x1000), part("factory", 0, 0, 0x10000, MiB)]);
    const table = compilePartitionCsv(SINGLE_APP_CSV, "single.csv");
    expect(table.length).toBe(0xc00);
    expect(Buffer.from(table)).toEqual(Buffer.from(expected));
  });

  it("two OTA: offsets computed as the guide's summary lists them (otadata 0xd000, ota_0 0x110000, ota_1 0x210000)", () => {
    const expected = makePartitionTable([
      part("nvs", 1, 2, 0x9000, 0x4000), part("otadata", 1, 0, 0xd000, 0x2000), part("phy_init", 1, 1, 0xf000, 0x1000),
      part("factory", 0, 0, 0x10000, MiB), part("ota_0", 0, 0x10, 0x110000, MiB), part("ota_1", 0, 0x11, 0x210000, MiB),
    ]);
    expect(Buffer.from(compilePartitionCsv(TWO_OTA_CSV, "two_ota.csv"))).toEqual(Buffer.from(expected));
    expect(md5(expected)).toBe("9f94bf1e89f37d80f4310d5af19a6e59"); // gen_esp32part.py's output for partitions_two_ota.csv
  });

  it("single app large: 1500K is 1500·1024 bytes", () => {
    const expected = makePartitionTable([part("nvs", 1, 2, 0x9000, 0x6000), part("phy_init", 1, 1, 0xf000, 0x1000), part("factory", 0, 0, 0x10000, 1500 * 1024)]);
    const table = compilePartitionCsv(SINGLE_APP_LARGE_CSV, "large.csv");
    expect(Buffer.from(table)).toEqual(Buffer.from(expected));
    expect(md5(table)).toBe("0df2c2c6687bac883c725683085a576b");
  });

  it("the guide's OTA input CSV: ota_0, ota_1 and nvs_key follow the previous partition", () => {
    const expected = makePartitionTable([
      part("nvs", 1, 2, 0x9000, 0x4000), part("otadata", 1, 0, 0xd000, 0x2000), part("phy_init", 1, 1, 0xf000, 0x1000),
      part("factory", 0, 0, 0x10000, MiB), part("ota_0", 0, 0x10, 0x110000, MiB), part("ota_1", 0, 0x11, 0x210000, MiB), part("nvs_key", 1, 4, 0x310000, 0x1000),
    ]);
    expect(Buffer.from(compilePartitionCsv(GUIDE_OTA_INPUT, "ota.csv"))).toEqual(Buffer.from(expected));
    expect(md5(expected)).toBe("bcdb8e8c05ec0623e77be821dda96bec");
  });

  it("a table offset of 0x10000 moves the empty offsets after it (gen_esp32part.py --offset 0x10000)", () => {
    const table = compilePartitionCsv(SINGLE_APP_CSV, "single.csv", { tableOffset: 0x10000 });
    expect(parsePartitionTable(table).entries.map((e) => e.offset)).toEqual([0x11000, 0x17000, 0x20000]);
    expect(md5(table)).toBe("f2178bf3ce26315e80681b71a8115e87");
  });
});

describe("compilePartitionCsv: ESP-IDF's gen_esp32part unit-test examples", () => {
  it("default offsets: apps round up to 64 KiB, data follows the previous partition", () => {
    const csv = "# Name, Type, Subtype, Offset, Size\nfirst, app, factory,, 1M\nsecond, data, 0x15,, 1M\nminidata, data, 0x40,, 32K\notherapp, app, factory,, 1M\n";
    expect(layoutPartitionCsv(csv, "t.csv").map((p) => [p.name, p.offset, p.sizeBytes])).toEqual([
      ["first", 0x10000, MiB], ["second", 0x110000, MiB], ["minidata", 0x210000, 32 * 1024], ["otherapp", 0x220000, MiB],
    ]);
    expect(md5(compilePartitionCsv(csv, "t.csv"))).toBe("658b9fab240d0e1c7f1208e12074f88a");
  });

  it("a negative size means 'up to that offset'; K and M suffixes in either case", () => {
    const placed = layoutPartitionCsv("first, app, factory, 0x10000, -2M\nsecond, data, 0x15,         ,  1M\n", "t.csv");
    expect(placed.map((p) => [p.offset, p.sizeBytes])).toEqual([[0x10000, 0x200000 - 0x10000], [0x200000, MiB]]);
    expect(layoutPartitionCsv("one_megabyte, app, factory, 64k, 1M\n", "t.csv", { tableOffset: 0x8000 }).map((p) => [p.offset, p.sizeBytes])).toEqual([[0x10000, MiB]]);
  });

  it("the three-entry binary table of ESP-IDF's tests, including its MD5 entry", () => {
    // Its comments say 128 KB and 1 MB for "data" and "second"; its bytes and its MD5 say 0x200 and 0x1000.
    const csv = "factory, app, factory, 0x10000, 1M\ndata, data, 0x20, 0x110000, 0x200\nsecond, 0x10, 0x00, 0x150000, 0x1000\n";
    const entries = Buffer.concat([
      Buffer.from("aa500000000001000000100066616374" + "6f727900000000000000000000000000", "hex"),
      Buffer.from("aa5001200000110000020000" + "64617461" + "00".repeat(12) + "00000000", "hex"),
      Buffer.from("aa5010000000150000100000" + Buffer.from("second").toString("hex") + "00".repeat(10) + "00000000", "hex"),
      Buffer.from("ebeb" + "ff".repeat(14) + "f9bd061b45686f86571a2cd52a1da65b", "hex"),
    ]);
    const table = compilePartitionCsv(csv, "t.csv");
    expect(Buffer.from(table.subarray(0, entries.length))).toEqual(entries);
    expect(table.subarray(entries.length).every((b) => b === 0xff)).toBe(true);
  });

  it("an empty data subtype is 'undefined' (0x06); names and numbers mean the same subtypes", () => {
    const named = "myapp, app, factory,, 0x100000\nmyota_0, app, ota_0,, 0x100000\nmyota_15, app, ota_15,, 0x100000\nmytest, app, test,, 0x100000\nmyota_status, data, ota,, 0x2000\nstorage, data, , , 512k\n";
    const numbered = "myapp, 0, 0,,  0x100000\nmyota_0, 0, 0x10,, 0x100000\nmyota_15, 0, 0x1f,, 0x100000\nmytest, 0, 0x20,, 0x100000\nmyota_status, 1, 0,, 0x2000\nstorage, 1, 6, , 0x80000\n";
    expect(Buffer.from(compilePartitionCsv(named, "a.csv"))).toEqual(Buffer.from(compilePartitionCsv(numbered, "b.csv")));
    expect(parsePartitionTable(compilePartitionCsv(named, "a.csv")).entries.map((e) => e.subtype)).toEqual([0x00, 0x10, 0x1f, 0x20, 0x00, 0x06]);
  });
});

describe("compilePartitionCsv: flags, keywords, encodings, limits", () => {
  const FLAGS_CSV = `nvs,      data, nvs,      ,  24K
nvs_key,  data, nvs_keys, ,  4K, encrypted
factory_nvs, data, nvs, , 0x1000, readonly
fctry, data, nvs, , 0x3000, encrypted:readonly
factory,  app,  factory,  ,  1M, encrypted
storage, data, , , 512k
littlefs, data, littlefs, , 0x10_000
custom, 0x40, 0x7, , 0X2000
sixteen_chars_nm, data, spiffs, , 1K
negative, app, ota_0, , -3M
tail, data, fat, , 64K
`;

  it("encrypted (bit 0) and readonly (bit 1), Python number forms, a 16-byte name, byte-identical to gen_esp32part.py", () => {
    const table = compilePartitionCsv(FLAGS_CSV, "flags.csv");
    expect(md5(table)).toBe("875ccb2f09e3357d569d6c0e8ff92b37");
    const parsed = parsePartitionTable(table);
    expect(parsed.problems).toEqual([]);
    // gen_esp32part.py prints the same table back as: …,0xf000,4K,encrypted / 0x10000,4K,readonly / 0x11000,12K,encrypted:readonly …
    expect(parsed.entries.map((e) => [e.label, e.offset, e.sizeBytes, e.flags])).toEqual([
      ["nvs", 0x9000, 0x6000, 0], ["nvs_key", 0xf000, 0x1000, 1], ["factory_nvs", 0x10000, 0x1000, 2], ["fctry", 0x11000, 0x3000, 3],
      ["factory", 0x20000, MiB, 1], ["storage", 0x120000, 0x80000, 0], ["littlefs", 0x1a0000, 0x10000, 0], ["custom", 0x1b0000, 0x2000, 0],
      ["sixteen_chars_nm", 0x1b2000, 0x400, 0], ["negative", 0x1c0000, 1280 * 1024, 0], ["tail", 0x300000, 0x10000, 0],
    ]);
    expect(parsed.entries[7]?.type).toBe(0x40);
  });

  it("keywords in any case; a byte order mark and CRLF line ends", () => {
    const table = compilePartitionCsv("NVS, DATA, NVS, , 0x6000\nFactory, App, Factory, , 1m\nt, 0, test, , 0x100000\n", "case.csv");
    expect(md5(table)).toBe("739d1a4af40402c310a6e6140c73840e");
    expect(md5(compilePartitionCsv("\uFEFFnvs, data, nvs, , 0x6000\r\nfactory, app, factory, , 1M\r\n", "crlf.csv"))).toBe("20f126eb81bed8b4a243b8c480776e7c");
  });

  it("bootloader and partition_table lines take the chip's offsets (gen_esp32part.py --primary-bootloader-offset)", () => {
    const csv = "bootloader, bootloader, primary, N/A, N/A,\npartition_table, partition_table, primary, N/A, N/A,\nnvs, data, nvs, , 0x6000,\nphy_init, data, phy, , 0x1000,\nfactory, app, factory, , 1M,\n";
    expect(md5(compilePartitionCsv(csv, "b.csv", { bootloaderOffset: 0x1000 }))).toBe("8578d564280482f390c80b31d35999b7");
    expect(md5(compilePartitionCsv(csv, "b.csv", { bootloaderOffset: 0x0 }))).toBe("92cc5403e3812045500952d94e512f8c");
    expect(() => compilePartitionCsv(csv, "b.csv")).toThrow(/^b\.csv:1:34: a bootloader partition needs the bootloader offset/);
  });

  it("94 partitions fit (with the MD5 entry and one end marker); 95 do not", () => {
    const lines = (n: number): string => Array.from({ length: n }, (_, i) => `p${i + 1}, data, 0x40, , 4K`).join("\n");
    expect(md5(compilePartitionCsv(lines(94), "94.csv"))).toBe("045e0dfada14e7436aec23e7c5edc3f9");
    expect(() => compilePartitionCsv(lines(95), "95.csv")).toThrow(/^95\.csv:95:1: the table defines 95 partitions; at most 94 fit/);
  });

  it("round-trips through the binary parser: valid MD5, every field as written", () => {
    const table = parsePartitionTable(compilePartitionCsv(GUIDE_OTA_INPUT, "ota.csv"));
    expect(table.valid).toBe(true);
    expect(table.md5?.valid).toBe(true);
    expect(table.entries.map((e) => `${e.label} ${e.typeName} ${e.subtypeName}`)).toEqual([
      "nvs data nvs", "otadata data ota", "phy_init data phy", "factory app factory", "ota_0 app ota_0", "ota_1 app ota_1", "nvs_key data nvs_keys",
    ]);
  });

  it("partitionTableFromFile: a binary table passes unchanged; UTF-8 and UTF-16 CSV files compile", () => {
    const binary = compilePartitionCsv(SINGLE_APP_CSV, "single.csv");
    expect(partitionTableFromFile(binary, "t.bin")).toBe(binary);
    expect(Buffer.from(partitionTableFromFile(Buffer.from(SINGLE_APP_CSV, "utf8"), "t.csv"))).toEqual(Buffer.from(binary));
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SINGLE_APP_CSV, "utf16le")]);
    expect(Buffer.from(partitionTableFromFile(utf16, "t.csv"))).toEqual(Buffer.from(binary));
    expect(() => partitionTableFromFile(Uint8Array.from([0xc3, 0x28, 0x00]), "t.csv")).toThrow(/^t\.csv:1:1: the file is neither/);
  });
});

describe("compilePartitionCsv: every refusal names file:line:column, with a hint", () => {
  const HEAD = "# Name,   Type, SubType, Offset,  Size, Flags\nnvs,      data, nvs,     ,        0x6000,\n";
  const cases: [string, string, RegExp][] = [
    ["unknown subtype", `${HEAD}fs,  data, fatt, , 1M\n`, /^p\.csv:3:12: unknown subtype "fatt" for type data$/],
    ["unknown type", `${HEAD}x, dat, nvs, , 0x6000\n`, /^p\.csv:3:4: unknown partition type "dat"$/],
    ["missing type", `${HEAD}x, , nvs, , 0x6000\n`, /^p\.csv:3:3: the partition type is missing$/],
    ["app without subtype", `${HEAD}factory, app, , , 1M\n`, /^p\.csv:3:14: an app partition needs a subtype$/],
    ["named subtype of a custom type", `${HEAD}x, 0x40, foo, , 0x6000\n`, /^p\.csv:3:10: subtype "foo" is not a number/],
    ["ota_16", `${HEAD}x, app, ota_16, , 1M\n`, /^p\.csv:3:9: unknown subtype "ota_16" for type app$/],
    ["type out of range", `${HEAD}x, 0x1ff, 0, , 0x6000\n`, /^p\.csv:3:4: partition type 0x1ff is outside 0x00-0xFE$/],
    ["bad number", `${HEAD}x, data, nvs, 0x1G000, 0x6000\n`, /^p\.csv:3:15: offset "0x1G000" is not a number$/],
    ["decimal with a leading zero (Python refuses it)", `${HEAD}x, data, nvs, , 010\n`, /^p\.csv:3:17: size "010" is not a number$/],
    ["fraction", `${HEAD}x, data, nvs, , 1.5M\n`, /^p\.csv:3:17: size "1.5M" is not a number$/],
    ["a trailing comment is not a comment", `${HEAD}x, data, nvs, , 0x6000 # storage\n`, /^p\.csv:3:17: size "0x6000 # storage" is not a number$/],
    ["missing size", `${HEAD}x, data, nvs, 0x10000\n`, /^p\.csv:3:22: the partition size is missing$/],
    ["size 0", `${HEAD}x, data, 0x40, , 0\n`, /^p\.csv:3:18: the partition size is 0$/],
    ["unknown flag", `${HEAD}x, data, nvs, , 0x6000, encrypt\n`, /^p\.csv:3:25: unknown flag "encrypt"$/],
    ["a space after the colon", `${HEAD}x, data, nvs, , 0x6000, encrypted: readonly\n`, /^p\.csv:3:35: unknown flag " readonly"$/],
    ["name longer than 16 bytes", `${HEAD}a_very_long_name_x, data, nvs, , 0x6000\n`, /^p\.csv:3:1: partition name "a_very_long_name_x" is 18 bytes long/],
    ["environment variable", `${HEAD}x, data, nvs, , $SIZE\n`, /^p\.csv:3:17: "\$SIZE" is an environment variable/],
    ["overlapping the table", "nvs, data, nvs, 0x8000, 0x6000\n", /^p\.csv:1:17: offset 0x00008000 overlaps the partition table \(0x00008000\.\.0x00009000\)$/],
    ["out of order", `${HEAD}factory, app, factory, 0x10000, 1M\nnvs2, data, nvs, 0x9000, 0x6000\n`, /^p\.csv:4:18: offset 0x00009000 overlaps the partition on line 3, which ends at 0x00110000$/],
    ["unaligned app", `${HEAD}factory, app, factory, 0x18000, 1M\n`, /^p\.csv:3:24: offset 0x00018000 of app partition "factory" is not a multiple of 0x10000$/],
    ["unaligned data", "nvs, data, nvs, 0x9420, 0x6000\n", /^p\.csv:1:17: offset 0x00009420 of data partition "nvs" is not a multiple of 0x1000$/],
    ["app size not in sectors", `${HEAD}ota_0, app, ota_0, , 0x101800\n`, /^p\.csv:3:22: size 0x101800 of app partition "ota_0" is not a multiple of 0x1000$/],
    ["small read/write NVS", "nvs, data, nvs, , 0x2000\n", /^p\.csv:1:19: NVS partition "nvs" of 0x2000 bytes is too small/],
    ["read-only OTA data", "od, data, ota, , 0x2000, readonly\n", /^p\.csv:1:26: "od" cannot be readonly/],
    ["duplicate name", "first, app, factory, 0x100000, 1M\nfirst, app, ota_0,  0x200000, 1M\n", /^p\.csv:2:1: partition name "first" is already used on line 1$/],
    ["OTA data of the wrong size", "otadata, data, ota, , 0x3000\n", /^p\.csv:1:23: OTA data partition "otadata" is 0x3000 bytes; it must be 0x2000$/],
    ["two OTA data partitions", "otadata, data, ota, , 0x2000\notadata2, data, ota, , 0x2000\n", /^p\.csv:2:17: a second OTA data partition/],
    ["negative size before the offset", "x, data, 0x40, 0x200000, -1M\n", /^p\.csv:1:26: size -0x100000 means "up to 0x00100000"/],
    ["no partitions", "# only a comment\n\n", /^p\.csv:1:1: no partitions/],
  ];

  it.each(cases)("%s", (_what, csv, message) => {
    let error: unknown;
    try {
      compilePartitionCsv(csv, "p.csv");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EspsyncError);
    const e = error as EspsyncError;
    expect(e.code).toBe("PARTITION_TABLE_INVALID");
    expect(e.message).toMatch(message);
    expect(e.hint?.length).toBeGreaterThan(10);
  });

  it("ends past the flash when the flash size is given", () => {
    expect(() => compilePartitionCsv(SINGLE_APP_CSV.replace("1M", "4M"), "p.csv", { flashSizeBytes: 4 * MiB })).toThrow(/^p\.csv:5:35: "factory" ends at 0x00410000, past the end of the 4 MiB flash$/);
  });
});

/**
 * ELF files among the inputs of flash/verify: read with `readImageSet` (with or without an address,
 * `--bootloader`, `--partition-table`), settled before connecting where possible (`attachElfApps`),
 * else completed for the connected chip (`completeElfApps`). The expected app bytes are the
 * converter's own output (its bytes are checked against esptool in elf-to-image.test.ts); what is
 * tested here is where they go and what is refused.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EspsyncError, type ErrorCode } from "../../src/errors.js";
import {
  attachElfApps, completeElfApps, defaultAppPartition, elfToImage, parsePartitionTable, readImageSet, validateImageSet, type ImageInput, type ImageSetWithElf,
} from "../../src/image/index.js";
import { C3_IDF, ESP32_LAST_PAGE } from "./elf-cases.js";
import { makeElf } from "./make-elf.js";
import { DEFAULT_PARTS, makeImage, makePartitionTable, type Part } from "./make-image.js";

let dir = "";
const p = (name: string): string => path.join(dir, name);
const c3Elf = makeElf(C3_IDF.spec);
const c3Image = elfToImage(c3Elf, p("app.elf"), { chip: "esp32c3" }).bytes;
/** Factory app at 0x20000, not at the usual 0x10000. */
const MOVED: Part[] = [
  { type: 1, subtype: 2, offset: 0x9000, size: 0x6000, label: "nvs" },
  { type: 0, subtype: 0, offset: 0x20000, size: 0x100000, label: "factory" },
];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "espsync-elf-"));
  await writeFile(p("app.elf"), c3Elf);
  await writeFile(p("other.elf"), c3Elf);
  await writeFile(p("esp32.elf"), makeElf(ESP32_LAST_PAGE.spec));
  await writeFile(p("app.bin"), makeImage({ chipId: 5 }));
  await writeFile(p("boot-c3.bin"), makeImage({ chipId: 5 }));
  await writeFile(p("boot-esp32.bin"), makeImage({ chipId: 0, segments: [{ addr: 0x3ffe0000, data: new Uint8Array(16) }] }));
  await writeFile(p("boot-99.bin"), makeImage({ chipId: 99 }));
  await writeFile(p("moved.bin"), makePartitionTable(MOVED));
  await writeFile(p("moved.csv"), "# Name, Type, SubType, Offset, Size\nnvs, data, nvs, 0x9000, 0x6000\nfactory, app, factory, 0x20000, 1M\n");
  await writeFile(p("no-app.bin"), makePartitionTable([{ type: 1, subtype: 2, offset: 0x9000, size: 0x6000, label: "nvs" }]));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function attach(input: ImageInput): Promise<ImageSetWithElf> {
  const set = await readImageSet(input);
  validateImageSet(set);
  return attachElfApps(set, set.elfInputs ?? []);
}

async function failure(run: () => Promise<unknown>): Promise<{ code: ErrorCode; message: string; hint: string | undefined }> {
  try {
    await run();
  } catch (e) {
    if (e instanceof EspsyncError) return { code: e.code, message: e.message, hint: e.hint };
    throw e;
  }
  throw new Error("expected a refusal");
}

const regionsOf = (set: ImageSetWithElf): [number, string, string][] => set.regions.map((r) => [r.addr, r.kind, path.basename(r.sourcePath)]);

describe("ELF apps settled before connecting", () => {
  it("an ELF with --partition-table and --bootloader: the app at the table's factory partition, all classified", async () => {
    const set = await attach({ elfFiles: [p("app.elf")], partitionTable: p("moved.bin"), bootloader: p("boot-c3.bin") });
    expect(set.elfApps).toBeUndefined();
    expect(set.chip).toBe("esp32c3");
    expect(regionsOf(set)).toEqual([[0x0, "bootloader", "boot-c3.bin"], [0x8000, "partition-table", "moved.bin"], [0x20000, "app", "app.elf"]]);
    const app = set.regions[2];
    expect(Buffer.from(app?.data.subarray(0, c3Image.length) ?? [])).toEqual(Buffer.from(c3Image));
    expect(app?.appDesc?.projectName).toBe("elf-idf-c3");
  });

  it("a CSV partition table is compiled: the same placement as its binary twin", async () => {
    const set = await attach({ elfFiles: [p("app.elf")], partitionTable: p("moved.csv"), chip: "esp32c3" });
    expect(regionsOf(set)).toEqual([[0x8000, "partition-table", "moved.csv"], [0x20000, "app", "app.elf"]]);
    expect(parsePartitionTable(set.regions[0]?.data ?? new Uint8Array()).entries.map((e) => [e.label, e.offset])).toEqual([["nvs", 0x9000], ["factory", 0x20000]]);
  });

  it("an ELF given with an address goes there, converted", async () => {
    const set = await attach({ pairs: [["0x110000", p("app.elf")]], chip: "esp32c3" });
    expect(regionsOf(set)).toEqual([[0x110000, "app", "app.elf"]]);
    expect(set.regions[0]?.fileSizeBytes).toBe(c3Image.length);
  });

  it("--bootloader goes to the offset of the chip its header names (ESP32: 0x1000)", async () => {
    const set = await attach({ bootloader: p("boot-esp32.bin"), pairs: [["0x10000", p("esp32.elf")]] });
    expect(regionsOf(set)).toEqual([[0x1000, "bootloader", "boot-esp32.bin"], [0x10000, "app", "esp32.elf"]]);
  });
});

describe("ELF apps that wait for the chip", () => {
  it("no table given: pending; then placed by the chip's table, else at 0x10000", async () => {
    const set = await attach({ elfFiles: [p("app.elf")], chip: "esp32c3" });
    expect(set.elfApps?.needsChipTable).toBe(true);
    expect(set.regions).toEqual([]);
    const onMoved = completeElfApps(set, { chip: "esp32c3", chipTable: parsePartitionTable(makePartitionTable(MOVED)) });
    expect(regionsOf(onMoved)).toEqual([[0x20000, "app", "app.elf"]]);
    expect(regionsOf(completeElfApps(set, { chip: "esp32c3" }))).toEqual([[0x10000, "app", "app.elf"]]);
  });

  it("chip unknown (the ELF fits the ESP32-C2 and C3): converted for the connected chip", async () => {
    const set = await attach({ pairs: [["0x10000", p("app.elf")]] });
    expect(set.elfApps?.chip).toBeUndefined();
    const done = completeElfApps(set, { chip: "esp32c3" });
    expect(done.regions[0]?.image?.ext?.chipId).toBe(5);
  });

  it("--flash-size detect: the detected size goes into the app header", async () => {
    const set = await attach({ pairs: [["0x10000", p("app.elf")]], chip: "esp32c3", flashSize: "detect" });
    const done = completeElfApps(set, { chip: "esp32c3", detectedFlashSizeBytes: 8 << 20 });
    expect((done.regions[0]?.data[3] ?? 0) >> 4).toBe(0x3); // 8MB (PROTOCOL.md §5.3)
  });
});

describe("refusals", () => {
  it.each<[string, ImageInput, ErrorCode, RegExp]>([
    ["a file without address that is not an ELF", { elfFiles: ["app.bin"] }, "USAGE", /app\.bin is given without a flash address/],
    ["two ELFs without address", { elfFiles: ["app.elf", "other.elf"], chip: "esp32c3" }, "USAGE", /app\.elf and .*other\.elf are all given without an address/],
    ["an ELF for another chip than --chip", { elfFiles: ["esp32.elf"], chip: "esp32c3" }, "CHIP_MISMATCH", /esp32\.elf is built for an Xtensa CPU/],
    ["an ELF for another chip than the bootloader", { elfFiles: ["esp32.elf"], bootloader: "boot-c3.bin" }, "CHIP_MISMATCH", /esp32c3 \(from .*boot-c3\.bin\)/],
    ["a table without app partition", { elfFiles: ["app.elf"], partitionTable: "no-app.bin", chip: "esp32c3" }, "PARTITION_TABLE_INVALID", /no-app\.bin has no app partition/],
    ["an ELF as --bootloader", { bootloader: "app.elf", chip: "esp32c3" }, "IMAGE_INVALID", /app\.elf \(--bootloader\) is an ELF file/],
    ["a bootloader of no known chip", { bootloader: "boot-99.bin" }, "IMAGE_INVALID", /boot-99\.bin \(--bootloader\) is not a bootloader image .*chip id 99/],
  ])("%s", async (_name, input, code, message) => {
    const withDir: ImageInput = {
      ...input,
      ...(input.elfFiles && { elfFiles: input.elfFiles.map(p) }),
      ...(input.bootloader && { bootloader: p(input.bootloader) }),
      ...(input.partitionTable && { partitionTable: p(input.partitionTable) }),
    };
    const e = await failure(() => attach(withDir));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.hint).toBeTruthy();
  });

  it("an app too big for the partition on the chip", async () => {
    const set = await attach({ elfFiles: [p("app.elf")], chip: "esp32c3" });
    const tiny = parsePartitionTable(makePartitionTable([{ type: 0, subtype: 0, offset: 0x10000, size: 0x1000, label: "factory" }]));
    const e = await failure(async () => completeElfApps(set, { chip: "esp32c3", chipTable: tiny }));
    expect([e.code, e.message]).toEqual(["PARTITION_TOO_SMALL", expect.stringMatching(/"factory" at 0x00010000 on the chip holds 4096/)]);
  });

  it("pending apps for one chip on another", async () => {
    const set = await attach({ elfFiles: [p("esp32.elf")] });
    expect(set.elfApps?.chip).toEqual({ chip: "esp32", source: `${p("esp32.elf")} (address map)` });
    const e = await failure(async () => completeElfApps(set, { chip: "esp32c3" }));
    expect(e.code).toBe("CHIP_MISMATCH");
  });
});

describe("defaultAppPartition", () => {
  const table = (parts: Part[]) => parsePartitionTable(makePartitionTable(parts));
  it.each<[string, Part[], string | undefined]>([
    ["the factory app", [...DEFAULT_PARTS.slice(0, 2), { type: 0, subtype: 0x10, offset: 0x10000, size: 0x100000, label: "ota_0" }, { type: 0, subtype: 0, offset: 0x110000, size: 0x100000, label: "factory" }], "factory"],
    ["else ota_0", [{ type: 0, subtype: 0x11, offset: 0x10000, size: 0x100000, label: "ota_1" }, { type: 0, subtype: 0x10, offset: 0x110000, size: 0x100000, label: "ota_0" }], "ota_0"],
    ["else the lowest app", [{ type: 0, subtype: 0x20, offset: 0x110000, size: 0x10000, label: "test" }, { type: 0, subtype: 0x11, offset: 0x10000, size: 0x10000, label: "ota_1" }], "ota_1"],
    ["none", [{ type: 1, subtype: 2, offset: 0x9000, size: 0x6000, label: "nvs" }], undefined],
  ])("%s", (_name, parts, label) => {
    expect(defaultAppPartition(table(parts))?.label).toBe(label);
  });
});

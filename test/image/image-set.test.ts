import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EspsyncError, type ErrorCode } from "../../src/errors.js";
import { finalizeForChip, readImageSet, validateForChip, validateImageSet, type ImageInput } from "../../src/image/index.js";
import { DEFAULT_PARTS, makeApp, makeImage, makePartitionTable } from "./make-image.js";

let dir = "";
const p = (name: string): string => path.join(dir, name);
const boot = makeImage({ chipId: 5 });
const app = makeApp({ chipId: 5 });
const table = makePartitionTable(DEFAULT_PARTS);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "espsync-image-"));
  await writeFile(p("boot.bin"), boot);
  await writeFile(p("app.bin"), app);
  await writeFile(p("pt.bin"), table);
  await writeFile(p("empty.bin"), new Uint8Array());
  await writeFile(p("junk.bin"), new Uint8Array(64).fill(0x11));
  await writeFile(p("esp32-app.bin"), makeApp({ chipId: 0 }));
  await writeFile(p("rev-app.bin"), makeApp({ chipId: 5, minRevFull: 4 }));
  await writeFile(p("old-rev-app.bin"), makeApp({ chipId: 5, minRevFull: 0, maxRevFull: 2 }));
  await writeFile(p("unset-max-app.bin"), makeApp({ chipId: 5, maxRevFull: 0 }));
  await writeFile(p("legacy-c3-app.bin"), makeApp({ chipId: 5, maxRevFull: 0, minRevFull: 0, minRevLegacy: 4 }));
  await writeFile(p("legacy-esp32-app.bin"), makeApp({ chipId: 0, maxRevFull: 0, minRevFull: 0, minRevLegacy: 3 }));
  await writeFile(p("big-app.bin"), makeApp({ chipId: 5, padTo: 0x2000 }));
  await writeFile(p("small-pt.bin"), makePartitionTable([{ type: 0, subtype: 0, offset: 0x10000, size: 0x1000, label: "factory" }]));
  await writeFile(p("bad-pt.bin"), makePartitionTable(DEFAULT_PARTS, { badMd5: true }));
  await mkdir(p("sub"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Asserts the error code, that the message names `names`, and that a hint exists. */
async function expectFailure(run: () => Promise<unknown> | unknown, code: ErrorCode, ...names: (string | RegExp)[]): Promise<EspsyncError> {
  let err: unknown;
  try {
    await run();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(EspsyncError);
  const e = err as EspsyncError;
  expect(e.code).toBe(code);
  for (const n of names) expect(e.message).toMatch(n);
  expect(e.hint).toBeTruthy();
  return e;
}

const load = async (input: ImageInput): Promise<void> => validateImageSet(await readImageSet(input));
const c3 = { chip: "esp32c3" as const, revisionFull: 3, flashSizeBytes: 4 << 20 };

describe("readImageSet + validateImageSet: inputs", () => {
  it("classifies bootloader, partition table and app from pairs, padded to sectors", async () => {
    const set = await readImageSet({ pairs: [["0x10000", p("app.bin")], ["0x0", p("boot.bin")], ["32768", p("pt.bin")]] });
    validateImageSet(set);
    expect(set.chip).toBe("esp32c3");
    expect(set.regions.map((r) => [r.addr, r.kind, r.data.length, r.fileSizeBytes])).toEqual([
      [0x0, "bootloader", 0x1000, boot.length],
      [0x8000, "partition-table", 0x1000, 0xc00],
      [0x10000, "app", 0x1000, app.length],
    ]);
    const a = set.regions[2]!;
    expect([...a.data.subarray(0, app.length)]).toEqual([...app]);
    expect(a.data.subarray(app.length).every((b) => b === 0xff)).toBe(true);
    expect(a.appDesc?.projectName).toBe("demo");
  });

  it.each<[string, ImageInput, ErrorCode, RegExp[]]>([
    ["missing file", { pairs: [["0x10000", "nope.bin"]] }, "FILE_NOT_FOUND", [/nope\.bin/, /0x00010000/]],
    ["empty file", { pairs: [["0x10000", "empty.bin"]] }, "FILE_EMPTY", [/empty\.bin/, /0x00010000/]],
    ["a directory", { pairs: [["0x10000", "sub"]] }, "FILE_UNREADABLE", [/sub/, /0x00010000/, /directory/]],
    ["address not a number", { pairs: [["0x1g000", "app.bin"]] }, "ADDRESS_INVALID", [/0x1g000/, /app\.bin/]],
    ["unaligned address", { pairs: [["0x10800", "app.bin"]] }, "ADDRESS_UNALIGNED", [/app\.bin/, /0x00010800/]],
    ["past the flash size", { pairs: [["0x1ff000", "big-app.bin"]], flashSize: "2MB" }, "LAYOUT_OUT_OF_RANGE", [/big-app\.bin/, /0x001ff000/]],
    ["overlap", { pairs: [["0x10000", "big-app.bin"], ["0x11000", "junk.bin"]] }, "LAYOUT_OVERLAP", [/big-app\.bin at 0x00010000\.\.0x00012/, /junk\.bin at 0x00011000/]],
    ["app that is not an image", { pairs: [["0x10000", "junk.bin"]] }, "IMAGE_INVALID", [/junk\.bin/, /0x00010000/, /magic byte is 0x11/]],
    ["images for two chips", { pairs: [["0x0", "boot.bin"], ["0x10000", "esp32-app.bin"]] }, "CHIP_MISMATCH", [/esp32-app\.bin/, /0x00010000/, /esp32c3/]],
    ["app too big for its partition", { pairs: [["0x8000", "small-pt.bin"], ["0x10000", "big-app.bin"]] }, "PARTITION_TOO_SMALL", [/big-app\.bin/, /0x00010000/, /"factory"/]],
    ["bad partition table", { pairs: [["0x8000", "bad-pt.bin"]] }, "PARTITION_TABLE_INVALID", [/bad-pt\.bin/, /0x00008000/, /MD5/]],
  ])("refuses %s", async (_name, input, code, names) => {
    const withDir = { ...input, ...(input.pairs && { pairs: input.pairs.map(([a, f]) => [a, p(f)] as const) }) };
    await expectFailure(() => load(withDir), code, ...names);
  });

  it("refuses a bootloader that is not an image once the chip is known", async () => {
    const set = await readImageSet({ pairs: [["0x0", p("junk.bin")]] });
    validateImageSet(set); // chip unknown: 0x0 is just data
    await expectFailure(() => finalizeForChip(set, c3), "IMAGE_INVALID", /junk\.bin/, /bootloader at 0x00000000/);
  });
});

describe("validateForChip", () => {
  it("refuses images for another chip", async () => {
    const set = await readImageSet({ pairs: [["0x10000", p("esp32-app.bin")]] });
    await expectFailure(() => validateForChip(set, c3), "CHIP_MISMATCH", /esp32-app\.bin/, /0x00010000/, /esp32 \(chip id 0\)/);
  });

  it("refuses an image needing a newer revision unless forced", async () => {
    const set = await readImageSet({ pairs: [["0x10000", p("rev-app.bin")]] });
    await expectFailure(() => validateForChip(set, c3), "CHIP_REVISION_TOO_OLD", /rev-app\.bin/, /0x00010000/, /v0\.4/, /v0\.3/);
    expect(() => validateForChip(set, c3, { force: true })).not.toThrow();
  });

  it("refuses an image whose highest revision is below the chip's unless forced, as esptool does", async () => {
    const set = await readImageSet({ pairs: [["0x10000", p("old-rev-app.bin")]] });
    await expectFailure(() => validateForChip(set, c3), "CHIP_REVISION_TOO_NEW", /old-rev-app\.bin/, /0x00010000/, /v0\.0 to v0\.2/, /v0\.3/);
    expect(() => validateForChip(set, c3, { force: true })).not.toThrow();
  });

  it("takes a maximum revision of 0 as not set (images older than the field)", async () => {
    const set = await readImageSet({ pairs: [["0x10000", p("unset-max-app.bin")]] });
    expect(() => validateForChip(set, c3)).not.toThrow();
  });

  it("an image older than the full fields is held to its legacy minimum: minor revisions on the C3, major elsewhere", async () => {
    const c3Set = await readImageSet({ pairs: [["0x10000", p("legacy-c3-app.bin")]] });
    await expectFailure(() => validateForChip(c3Set, c3), "CHIP_REVISION_TOO_OLD", /legacy-c3-app\.bin/, /v0\.4 or newer/, /v0\.3/);
    const esp32Set = await readImageSet({ pairs: [["0x10000", p("legacy-esp32-app.bin")]] });
    expect(() => validateForChip(esp32Set, { chip: "esp32", revisionFull: 300, flashSizeBytes: 4 << 20 })).not.toThrow();
    await expectFailure(() => validateForChip(esp32Set, { chip: "esp32", revisionFull: 101, flashSizeBytes: 4 << 20 }), "CHIP_REVISION_TOO_OLD", /v3\.0 or newer/, /v1\.1/);
  });

  it("refuses images past the detected flash size", async () => {
    const set = await readImageSet({ pairs: [["0x10000", p("app.bin")]] });
    await expectFailure(() => validateForChip(set, { ...c3, flashSizeBytes: 0x10000 }), "LAYOUT_OUT_OF_RANGE", /app\.bin/, /0x00010000/);
  });
});

describe("build directories", () => {
  async function idfDir(name: string, args: unknown): Promise<string> {
    const d = p(name);
    await mkdir(path.join(d, "bootloader"), { recursive: true });
    await writeFile(path.join(d, "bootloader", "bootloader.bin"), boot);
    await writeFile(path.join(d, "demo.bin"), app);
    await writeFile(path.join(d, "flasher_args.json"), typeof args === "string" ? args : JSON.stringify(args));
    return d;
  }
  const good = {
    flash_files: { "0x0": "bootloader/bootloader.bin", "0x10000": "demo.bin" },
    flash_settings: { flash_mode: "dio", flash_size: "2MB", flash_freq: "80m" },
    extra_esptool_args: { chip: "esp32c3", before: "default_reset", after: "hard_reset" },
  };

  it("reads an ESP-IDF build directory", async () => {
    const set = await readImageSet({ buildDir: await idfDir("idf", good) });
    expect(set.regions.map((r) => [r.addr, r.kind])).toEqual([[0, "bootloader"], [0x10000, "app"]]);
    expect(set.chip).toBe("esp32c3");
    expect(set.flasherArgs?.after).toBe("hard_reset");
    expect(set.flashSettings).toEqual({ flashMode: "dio", flashFreq: "80m", flashSize: "2MB" });
    // make-image's header is dio / 2MB / 80m already (0x1f): nothing to patch.
    expect(set.regions[0]!.patched).toBe(false);
  });

  it.each<[string, unknown, RegExp]>([
    ["bad JSON", "{ nope", /not valid JSON/],
    ["missing flash_files", { flash_settings: {} }, /"flash_files"/],
    ["missing flash_settings", { flash_files: { "0x10000": "demo.bin" } }, /"flash_settings"/],
    ["a missing file", { ...good, flash_files: { "0x10000": "gone.bin" } }, /gone\.bin at 0x00010000/],
    ["an escaping path", { ...good, flash_files: { "0x10000": "../app.bin" } }, /\.\.\/app\.bin" at 0x10000 leaves the build directory/],
  ])("refuses flasher_args.json with %s", async (name, args, reason) => {
    const d = await idfDir(`idf-${name.replace(/\W/g, "")}`, args);
    await expectFailure(() => readImageSet({ buildDir: d }), "FLASHER_ARGS_INVALID", /flasher_args\.json/, reason);
  });

  it("reads an Arduino-CLI build directory with boot_app0.bin", async () => {
    const d = p("arduino");
    await mkdir(d);
    await writeFile(path.join(d, "blink.ino.bootloader.bin"), makeImage({ chipId: 0 }));
    await writeFile(path.join(d, "blink.ino.partitions.bin"), table);
    await writeFile(path.join(d, "blink.ino.bin"), makeApp({ chipId: 0 }));
    await writeFile(path.join(d, "boot_app0.bin"), new Uint8Array(0x2000).fill(0xff));
    const set = await readImageSet({ buildDir: d });
    validateImageSet(set);
    expect(set.chip).toBe("esp32");
    expect(set.regions.map((r) => [r.addr, r.kind, path.basename(r.sourcePath)])).toEqual([
      [0x1000, "bootloader", "blink.ino.bootloader.bin"],
      [0x8000, "partition-table", "blink.ino.partitions.bin"],
      [0xe000, "data", "boot_app0.bin"],
      [0x10000, "app", "blink.ino.bin"],
    ]);
  });

  it("reads a PlatformIO project with the chip given", async () => {
    const env = path.join(p("pio"), ".pio", "build", "esp32-s3-devkitc-1");
    await mkdir(env, { recursive: true });
    await writeFile(path.join(env, "bootloader.bin"), makeImage({ chipId: 9 }));
    await writeFile(path.join(env, "partitions.bin"), table);
    await writeFile(path.join(env, "firmware.bin"), makeApp({ chipId: 9 }));
    const set = await readImageSet({ buildDir: p("pio"), chip: "esp32s3" });
    validateImageSet(set);
    expect(set.regions.map((r) => [r.addr, r.kind])).toEqual([[0x0, "bootloader"], [0x8000, "partition-table"], [0x10000, "app"]]);
  });

  it("refuses a directory that is no known build", async () => {
    await expectFailure(() => readImageSet({ buildDir: p("sub") }), "BUILD_DIR_INVALID", /sub/);
  });
});

describe("merged images", () => {
  it("recognises bootloader, table and app inside one file and patches its bootloader", async () => {
    const merged = new Uint8Array(0x10000 - 0x1000 + app.length).fill(0xff);
    const esp32Boot = makeImage({ chipId: 0, sizeFreq: 0x20 });
    merged.set(esp32Boot, 0);
    merged.set(table, 0x8000 - 0x1000);
    merged.set(makeApp({ chipId: 0 }), 0x10000 - 0x1000);
    await writeFile(p("merged.bin"), merged);
    const set = await readImageSet({ pairs: [["0x1000", p("merged.bin")]], flashMode: "dout" });
    validateImageSet(set);
    const r = set.regions[0]!;
    expect(r.kind).toBe("merged");
    expect(r.parts?.map((x) => [x.kind, x.addr, x.image?.valid])).toEqual([
      ["bootloader", 0x1000, true],
      ["partition-table", 0x8000, undefined],
      ["app", 0x10000, true],
    ]);
    expect(r.patched).toBe(true);
    expect(r.data[2]).toBe(3);
    expect([...r.data.subarray(0x7000, 0x7c00)]).toEqual([...table]);
  });
});

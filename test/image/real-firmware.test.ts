import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  CHIP_FACTS, buildImageSet, isImageChip, parseAppDescription, parseBootloaderDescription, parseEspImage, parsePartitionTable, validateImageSet,
} from "../../src/image/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const firmware = path.resolve(root, "../shared/firmware");
const present = existsSync(firmware);
const why = "shared real firmware folder (../shared/firmware) is absent";

const idfBuilds = present
  ? ["idf-hello-v5.1", "idf-hello-v5.2", "idf-hello-v5.3"].flatMap((v) => readdirSync(path.join(firmware, v)).map((chip) => ({ v, chip })))
  : [];

describe.skipIf(!present)(`real firmware (skipped when the ${why})`, () => {
  it.each(idfBuilds)("$v/$chip: bootloader, table and app parse with valid checksum, SHA and chip id", ({ v, chip }) => {
    if (!isImageChip(chip)) throw new Error(`unexpected folder ${chip}`);
    const dir = path.join(firmware, v, chip);
    const read = (f: string): Uint8Array => new Uint8Array(readFileSync(path.join(dir, f)));
    const boot = read("bootloader.bin");
    const app = read("hello_world.bin");
    const bootInfo = parseEspImage(boot);
    const appInfo = parseEspImage(app);
    expect(bootInfo.problems).toEqual([]);
    expect(appInfo.problems).toEqual([]);
    expect(appInfo.sha256?.valid).toBe(true);
    expect(bootInfo.ext?.chipId).toBe(CHIP_FACTS[chip].chipId);
    expect(appInfo.ext?.chipId).toBe(CHIP_FACTS[chip].chipId);
    expect(parseAppDescription(app, appInfo)?.projectName).toBe("hello_world");
    // IDF added the bootloader description in v5.2; older bootloaders have none.
    if (v !== "idf-hello-v5.1") expect(parseBootloaderDescription(boot, bootInfo)?.idfVersion).toMatch(/^v5\./);
    else expect(parseBootloaderDescription(boot, bootInfo)).toBeUndefined();
    const table = parsePartitionTable(read("partition-table.bin"));
    expect(table.problems).toEqual([]);
    expect(table.entries.find((e) => e.typeName === "app")?.offset).toBe(0x10000);
    const set = buildImageSet([
      { addr: CHIP_FACTS[chip].bootloaderOffset, path: "bootloader.bin", bytes: boot },
      { addr: 0x8000, path: "partition-table.bin", bytes: read("partition-table.bin") },
      { addr: 0x10000, path: "hello_world.bin", bytes: app },
    ]);
    expect(set.chip).toBe(chip);
    expect(set.regions.map((r) => r.kind)).toEqual(["bootloader", "partition-table", "app"]);
    expect(() => validateImageSet(set)).not.toThrow();
  });

  it.each(present ? readdirSync(path.join(firmware, "espflash/bootloaders")) : [])("espflash bootloader %s parses", (file) => {
    const info = parseEspImage(new Uint8Array(readFileSync(path.join(firmware, "espflash/bootloaders", file))));
    expect(info.problems).toEqual([]);
    const chip = file.split("-")[0] as string;
    expect(isImageChip(chip) && info.ext?.chipId === CHIP_FACTS[chip].chipId).toBe(true);
  });

  it.each(present ? readdirSync(path.join(firmware, "micropython-esp32")).filter((f) => f.endsWith(".bin")) : [])(
    "micropython %s is a merged ESP32 image at 0x1000",
    (file) => {
      const bytes = new Uint8Array(readFileSync(path.join(firmware, "micropython-esp32", file)));
      const set = buildImageSet([{ addr: 0x1000, path: file, bytes }]);
      expect(set.chip).toBe("esp32");
      const r = set.regions[0]!;
      expect(r.kind).toBe("merged");
      expect(r.parts?.map((p) => [p.kind, p.addr, p.image?.valid])).toEqual([
        ["bootloader", 0x1000, true],
        ["partition-table", 0x8000, undefined],
        ["app", 0x10000, true],
      ]);
      expect(set.partitionTable?.table.entries.map((e) => e.label)).toEqual(["nvs", "phy_init", "factory", "vfs"]);
      expect(() => validateImageSet(set)).not.toThrow();
    },
  );
});

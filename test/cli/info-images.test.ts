/**
 * `info`, `image-info` and `partitions`: the chip's identity as the simulator was configured, and
 * what image files say — checked against images built byte by byte in the test and against real
 * ESP-IDF builds (values read out of the files by hand, not by the parsers under test).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_PARTS, makeApp, makePartitionTable } from "../image/make-image.js";
import { runCli } from "./helpers.js";
import { FIRMWARE_DIR, HAS_FIRMWARE, cliEnv, flashChangingCommands, recordPorts, simUrl, tempDir, writeBuild } from "./sim-rig.js";

describe("espsync info", () => {
  it("prints the chip's name, MAC, flash size and security state, writing nothing", async () => {
    const ports = recordPorts();
    const result = await runCli(["info", "--port", "sim:esp32c3?flash=8MB&mac=24:0a:c4:00:00:07", "--json"], { openPort: ports.openPort });
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as { ok: boolean; command: string; boards: { port: string; chip: Record<string, unknown>; result: Record<string, unknown> }[] };
    expect(doc).toMatchObject({ ok: true, command: "info" });
    const chip = doc.boards[0]!.result;
    expect(chip).toMatchObject({ chip: "esp32c3", mac: "24:0a:c4:00:00:07", flashSizeBytes: 8 * 1024 * 1024, crystalMhz: 40, stub: true });
    expect(chip.security).toMatchObject({ secureBoot: false, flashEncryption: false, secureDownloadMode: false });
    // JEDEC id, low byte first: GigaDevice (0xc8), memory type 0x40, capacity 0x17 = 2^23 bytes = 8 MiB.
    expect(chip.flashId).toBe("0x1740c8");
    expect(doc.boards[0]!.chip).toEqual(chip);
    expect(flashChangingCommands(ports.chips[0]!)).toBe(0);

    const human = await runCli(["info", "--port", "sim:esp32c3?flash=8MB&mac=24:0a:c4:00:00:07"]);
    expect(human.stdout).toMatch(/^MAC +24:0a:c4:00:00:07$/m);
    expect(human.stdout).toMatch(/^Flash size +8\.00 MiB$/m);
    expect(human.stdout).toMatch(/^Chip +esp32c3$/m);
    expect(human.stdout).toMatch(/^Security +secure boot off, flash encryption off/m);
  });
});

describe("espsync image-info", () => {
  it("reports header, chip, revisions, checksum, SHA-256 and app description of a generated app", async () => {
    const dir = tempDir();
    const file = path.join(dir, "app.bin");
    writeFileSync(file, makeApp({ chipId: 9, minRevFull: 2, project: "gen-proj", version: "7.8.9" }));
    const result = await runCli(["image-info", file, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as {
      ok: boolean; chip: string; image: { valid: boolean; segmentCount: number; checksum: { valid: boolean }; sha256: { valid: boolean }; ext: { minRevFull: number } };
      appDescription: { projectName: string; version: string; idfVersion: string };
    };
    expect(doc.ok).toBe(true);
    expect(doc.chip).toBe("esp32s3");
    expect(doc.image).toMatchObject({ valid: true, segmentCount: 2, checksum: { valid: true }, sha256: { valid: true }, ext: { minRevFull: 2 } });
    expect(doc.appDescription).toMatchObject({ projectName: "gen-proj", version: "7.8.9", idfVersion: "v5.2.2" });
    const human = await runCli(["image-info", file]);
    expect(human.stdout).toMatch(/^Project +gen-proj$/m);
    expect(human.stdout).toMatch(/^Chip revision +v0\.2 or newer$/m);
    expect(human.stdout).toMatch(/^SHA-256 +[0-9a-f]{64} valid$/m);
  });

  it.each([
    [{ maxRevFull: 199, minRevFull: 3 }, "v0.3 to v1.99"],
    [{ maxRevFull: 0, minRevFull: 0, minRevLegacy: 3 }, "v0.3 or newer (legacy minimum; the image has no maximum)"],
  ])("shows the revision range of %j as %s (a maximum of 0 is not set, as esptool reads it)", async (fields, shown) => {
    const file = path.join(tempDir(), "rev.bin");
    writeFileSync(file, makeApp({ chipId: 5, ...fields }));
    const human = await runCli(["image-info", file]);
    expect(human.stdout).toMatch(new RegExp(`^Chip revision +${shown.replace(/[.()]/g, "\\$&")}$`, "m"));
  });

  it("exits 2 and says INVALID when the appended SHA-256 does not match", async () => {
    const dir = tempDir();
    const bytes = makeApp();
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    const file = path.join(dir, "bad.bin");
    writeFileSync(file, bytes);
    const result = await runCli(["image-info", file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^SHA-256 +[0-9a-f]{64} INVALID$/m);
    expect(result.stderr).toMatch(/^error\[IMAGE_INVALID\]: .*SHA-256.*\nhint: /m);
  });

  it.skipIf(!HAS_FIRMWARE)("reads a real ESP-IDF v5.2 hello_world for ESP32-C3 (skipped when ../shared/firmware is absent)", async () => {
    const result = await runCli(["image-info", path.join(FIRMWARE_DIR, "idf-hello-v5.2/esp32c3/hello_world.bin"), "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as { chip: string; image: { valid: boolean; ext: { minRevFull: number; maxRevFull: number } }; appDescription: Record<string, string> };
    expect(doc.chip).toBe("esp32c3");
    expect(doc.image.valid).toBe(true);
    expect(doc.image.ext).toMatchObject({ minRevFull: 3, maxRevFull: 199 });
    expect(doc.appDescription).toMatchObject({ projectName: "hello_world", version: "v1.4.1-2-g0296947-dirty", idfVersion: "v5.2.2-dirty", date: "Jul 25 2024", time: "16:24:20" });
  });
});

describe("espsync partitions", () => {
  it("shows a generated table as name, type, subtype, offset, size", async () => {
    const dir = tempDir();
    const file = path.join(dir, "pt.bin");
    const parts = [...DEFAULT_PARTS, { type: 1, subtype: 0x82, offset: 0x110000, size: 0x40000, label: "storage" }];
    writeFileSync(file, makePartitionTable(parts));
    const result = await runCli(["partitions", file]);
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout.split("\n").filter((l) => /^\w/.test(l)).slice(1, 1 + parts.length).map((l) => l.split(/ {2,}/).slice(0, 5));
    expect(rows).toEqual([
      ["nvs", "data", "nvs", "0x00009000", "0x006000"],
      ["phy_init", "data", "phy", "0x0000f000", "0x001000"],
      ["factory", "app", "factory", "0x00010000", "0x100000"],
      ["storage", "data", "spiffs", "0x00110000", "0x040000"],
    ]);
    const json = JSON.parse((await runCli(["partitions", file, "--json"])).stdout) as { ok: boolean; table: { entries: { label: string; offset: number; sizeBytes: number }[] } };
    expect(json.ok).toBe(true);
    expect(json.table.entries.map((e) => [e.label, e.offset, e.sizeBytes])).toEqual(parts.map((p) => [p.label, p.offset, p.size]));
  });

  it("reads the table back from a flashed chip with --from-chip", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const file = path.join(dir, "flash.bin");
    expect((await runCli(["flash", "--port", simUrl(file), ...build.pairs], { env: cliEnv(dir) })).code).toBe(0);
    const result = await runCli(["partitions", "--from-chip", "--port", simUrl(file), "--json"], { env: cliEnv(dir) });
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as { boards: { result: { offset: number; table: { entries: { label: string }[] } } }[] };
    expect(doc.boards[0]!.result.offset).toBe(0x8000);
    expect(doc.boards[0]!.result.table.entries.map((e) => e.label)).toEqual(DEFAULT_PARTS.map((p) => p.label));
  });

  it.skipIf(!HAS_FIRMWARE)("shows the real ESP-IDF default table (skipped when ../shared/firmware is absent)", async () => {
    const result = await runCli(["partitions", path.join(FIRMWARE_DIR, "idf-hello-v5.2/esp32c3/partition-table.bin")]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^factory +app +factory +0x00010000 +0x100000/m);
    expect(result.stdout).toMatch(/^nvs +data +nvs +0x00009000 +0x006000/m);
  });

  it.skipIf(!HAS_FIRMWARE)("finds the table inside a real merged MicroPython image (skipped when ../shared/firmware is absent)", async () => {
    const { readdirSync } = await import("node:fs");
    const dirPath = path.join(FIRMWARE_DIR, "micropython-esp32");
    const first = readdirSync(dirPath).filter((f) => f.endsWith(".bin")).sort()[0]!;
    const result = await runCli(["partitions", path.join(dirPath, first)]);
    expect(result.code, result.stderr).toBe(0);
    // Written at 0x1000, so the table at flash 0x8000 sits at file offset 0x7000.
    expect(result.stdout).toContain("partition table at file offset 0x7000");
    expect(result.stdout).toMatch(/^factory +app +factory +0x00010000/m);
  });
});

/**
 * `espsync partitions parts.csv`: a CSV table is compiled and shown like a binary one, `-o` writes
 * the binary, and a mistake is refused with `error[PARTITION_TABLE_INVALID]: file:line:column: …`, a
 * hint and exit 2 — before any port is opened.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makePartitionTable } from "../image/make-image.js";
import { runCli } from "./helpers.js";
import { errorLines, recordPorts, tempDir } from "./sim-rig.js";
import { TWO_OTA_CSV } from "../image/idf-partition-csvs.js";


function rowsOf(stdout: string, count: number): string[][] {
  return stdout.split("\n").filter((l) => /^\w/.test(l) && !l.startsWith("compiled")).slice(1, 1 + count).map((l) => l.split(/ {2,}/).slice(0, 5));
}

describe("espsync partitions FILE.csv", () => {
  it("compiles the CSV and shows it with the computed offsets; -o writes gen_esp32part.py's bytes", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "parts.csv"), TWO_OTA_CSV);
    const result = await runCli(["partitions", "parts.csv", "-o", "table.bin"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    // Offsets as ESP-IDF's partition table guide prints this table.
    expect(rowsOf(result.stdout, 6)).toEqual([
      ["nvs", "data", "nvs", "0x00009000", "0x004000"],
      ["otadata", "data", "ota", "0x0000d000", "0x002000"],
      ["phy_init", "data", "phy", "0x0000f000", "0x001000"],
      ["factory", "app", "factory", "0x00010000", "0x100000"],
      ["ota_0", "app", "ota_0", "0x00110000", "0x100000"],
      ["ota_1", "app", "ota_1", "0x00210000", "0x100000"],
    ]);
    const expected = makePartitionTable([
      { label: "nvs", type: 1, subtype: 2, offset: 0x9000, size: 0x4000 },
      { label: "otadata", type: 1, subtype: 0, offset: 0xd000, size: 0x2000 },
      { label: "phy_init", type: 1, subtype: 1, offset: 0xf000, size: 0x1000 },
      { label: "factory", type: 0, subtype: 0, offset: 0x10000, size: 0x100000 },
      { label: "ota_0", type: 0, subtype: 0x10, offset: 0x110000, size: 0x100000 },
      { label: "ota_1", type: 0, subtype: 0x11, offset: 0x210000, size: 0x100000 },
    ]);
    expect(readFileSync(path.join(dir, "table.bin"))).toEqual(Buffer.from(expected));
  });

  it("--offset moves the table and the empty offsets after it; --json says the input was CSV", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "parts.csv"), TWO_OTA_CSV);
    const result = await runCli(["partitions", "parts.csv", "--offset", "0x10000", "--json"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as { ok: boolean; format: string; table: { entries: { label: string; offset: number }[] } };
    expect(doc.ok).toBe(true);
    expect(doc.format).toBe("csv");
    // nvs right after the table's sector, otadata and phy_init after it, apps on 64 KiB boundaries.
    expect(doc.table.entries.map((e) => e.offset)).toEqual([0x11000, 0x15000, 0x17000, 0x20000, 0x120000, 0x220000]);
  });

  it("refuses a mistake on line 7 with file:line:column and a hint, exit 2, no port opened", async () => {
    const dir = tempDir();
    const lines = TWO_OTA_CSV.split("\n");
    lines.splice(6, 0, "fs,  data, fatt, , 1M,"); // line 7; the subtype starts in column 12
    writeFileSync(path.join(dir, "parts.csv"), lines.join("\n"));
    const ports = recordPorts();
    const result = await runCli(["partitions", "parts.csv"], { cwd: dir, openPort: ports.openPort });
    expect(result.code).toBe(2);
    const { first, hint } = errorLines(result.stderr);
    expect(first).toBe('error[PARTITION_TABLE_INVALID]: parts.csv:7:12: unknown subtype "fatt" for type data');
    expect(hint).toMatch(/^hint: Use ota, phy, nvs, .*fat, spiffs, littlefs/);
    expect(ports.opened).toEqual([]);
  });

  it("a bootloader line needs the chip; with --chip it takes the chip's bootloader offset", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "boot.csv"), "bootloader, bootloader, primary, N/A, N/A\nnvs, data, nvs, , 0x6000\nfactory, app, factory, , 1M\n");
    const without = await runCli(["partitions", "boot.csv"], { cwd: dir });
    expect(without.code).toBe(2);
    expect(errorLines(without.stderr).first).toMatch(/^error\[PARTITION_TABLE_INVALID\]: boot\.csv:1:34: a bootloader partition needs the bootloader offset/);
    const esp32 = await runCli(["partitions", "boot.csv", "--chip", "esp32", "--json"], { cwd: dir });
    expect(esp32.code, esp32.stderr).toBe(0);
    const doc = JSON.parse(esp32.stdout) as { table: { entries: { label: string; offset: number; sizeBytes: number }[] } };
    // ESP32: bootloader at 0x1000, up to the table at 0x8000.
    expect(doc.table.entries[0]).toMatchObject({ label: "bootloader", offset: 0x1000, sizeBytes: 0x7000 });
  });
});

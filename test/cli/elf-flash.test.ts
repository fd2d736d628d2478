/**
 * `espsync flash app.elf` on the virtual chip: the ELF converted and written to the app partition
 * (from --partition-table, binary or CSV; else the table on the chip; else 0x10000), --bootloader at
 * the chip's offset, the app boots (the simulated bootloader logs its app description), a second run
 * writes nothing, and bad input is refused before any port is opened. What lands in flash is checked
 * against the ELF by the test's own ELF reader (test/image/elf-image-check.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { FlashResult } from "../../src/engine/index.js";
import { parseEspImage } from "../../src/image/esp-image.js";
import { C3_IDF, ESP32_LAST_PAGE } from "../image/elf-cases.js";
import { expectImageOfElf } from "../image/elf-image-check.js";
import { EM_RISCV, FLAGS_DATA, makeElf, pattern } from "../image/make-elf.js";
import { DEFAULT_PARTS, makeImage, makePartitionTable } from "../image/make-image.js";
import { runCli } from "./helpers.js";
import { FIRMWARE_DIR, HAS_FIRMWARE, NO_FIRMWARE, cliEnv, errorLines, flashChangingCommands, flashFile, recordPorts, simUrl, tempDir } from "./sim-rig.js";

/** The image at `addr` in a simulated flash file, as long as its own header says it is. */
function imageAt(flash: Buffer, addr: number): Uint8Array {
  const rest = new Uint8Array(flash.subarray(addr));
  return rest.subarray(0, parseEspImage(rest).imageLengthBytes);
}

interface Files {
  dir: string;
  elf: string;
  elfBytes: Uint8Array;
  bootloader: string;
  table: string;
  csv: string;
}

/** A C3 ESP-IDF-style ELF (project elf-idf-c3), a generated bootloader, the default table as .bin and .csv. */
function files(): Files {
  const dir = tempDir("espsync-elf-cli-");
  const elfBytes = makeElf(C3_IDF.spec);
  const f = { dir, elf: path.join(dir, "app.elf"), elfBytes, bootloader: path.join(dir, "bl.bin"), table: path.join(dir, "parts.bin"), csv: path.join(dir, "parts.csv") };
  writeFileSync(f.elf, elfBytes);
  writeFileSync(f.bootloader, makeImage({ chipId: 5 }));
  writeFileSync(f.table, makePartitionTable(DEFAULT_PARTS));
  writeFileSync(f.csv, "# Name, Type, SubType, Offset, Size, Flags\nnvs, data, nvs, 0x9000, 0x6000,\nphy_init, data, phy, 0xf000, 0x1000,\nfactory, app, factory, 0x10000, 1M,\n");
  return f;
}

describe("espsync flash app.elf", () => {
  it.each(["parts.bin", "parts.csv"])("with --partition-table %s and --bootloader: boots the app, and a second run writes nothing", async (tableName) => {
    const f = files();
    const flash = path.join(f.dir, "flash.bin");
    const env = cliEnv(f.dir);
    const args = ["flash", "-p", simUrl(flash), f.elf, "--partition-table", path.join(f.dir, tableName), "--bootloader", f.bootloader];

    const first = await runCli(args, { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("app.elf at 0x00010000: full");
    const bytes = flashFile(flash);
    expect(bytes.subarray(0, 0x40)).toEqual(readFileSync(f.bootloader).subarray(0, 0x40));
    // The CSV compiles to the same table as the binary one (ESP-IDF's default single-app layout).
    expect(bytes.subarray(0x8000, 0x8c00)).toEqual(Buffer.from(makePartitionTable(DEFAULT_PARTS)));
    expectImageOfElf(f.elfBytes, imageAt(bytes, 0x10000), "esp32c3");

    const booted = await runCli(["monitor", "-p", simUrl(flash), "--expect", "Project name: +elf-idf-c3", "--timeout", "10"], { env });
    expect(booted.code, booted.stdout + booted.stderr).toBe(0);

    const ports = recordPorts();
    const second = await runCli([...args, "--json"], { env, openPort: ports.openPort });
    expect(second.code, second.stderr).toBe(0);
    const result = (JSON.parse(second.stdout) as { boards: { result: FlashResult }[] }).boards[0]?.result;
    expect(result?.regions.map((r) => [r.addr, r.outcome])).toEqual([[0x0, "skip"], [0x8000, "skip"], [0x10000, "skip"]]);
    const chip = ports.chips[0];
    expect(chip && flashChangingCommands(chip)).toBe(0);
  });

  it("without --partition-table: the app goes to the app partition of the table on the chip", async () => {
    const f = files();
    const flash = path.join(f.dir, "flash.bin");
    const env = cliEnv(f.dir);
    const moved = path.join(f.dir, "moved.bin");
    writeFileSync(moved, makePartitionTable([{ type: 1, subtype: 2, offset: 0x9000, size: 0x6000, label: "nvs" }, { type: 0, subtype: 0, offset: 0x20000, size: 0x100000, label: "factory" }]));
    expect((await runCli(["flash", "-p", simUrl(flash), "0x8000", moved], { env })).code).toBe(0);

    const run = await runCli(["flash", "-p", simUrl(flash), f.elf], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("app.elf at 0x00020000: full");
    expect(run.stdout).not.toContain("note:");
    const bytes = flashFile(flash);
    expectImageOfElf(f.elfBytes, imageAt(bytes, 0x20000), "esp32c3");
    expect(bytes.subarray(0x10000, 0x20000).every((b) => b === 0xff)).toBe(true);

    // verify takes the same way to the same place.
    const verified = await runCli(["verify", "-p", simUrl(flash), f.elf], { env });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/app\.elf at 0x00020000: matches/);
  });

  it("on a chip without a partition table: the default layout's 0x10000, with a note", async () => {
    const f = files();
    const flash = path.join(f.dir, "flash.bin");
    const run = await runCli(["flash", "-p", simUrl(flash), f.elf], { env: cliEnv(f.dir) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/note: no valid partition table on the chip at 0x00008000; the app goes to 0x00010000/);
    expectImageOfElf(f.elfBytes, imageAt(flashFile(flash), 0x10000), "esp32c3");
  });

  it("an ELF for another chip than the connected one: refused before writing", async () => {
    const f = files();
    const esp32 = path.join(f.dir, "esp32.elf");
    writeFileSync(esp32, makeElf(ESP32_LAST_PAGE.spec));
    const ports = recordPorts();
    const run = await runCli(["flash", "-p", simUrl(path.join(f.dir, "flash.bin")), esp32], { env: cliEnv(f.dir), openPort: ports.openPort });
    expect(run.code).toBe(5);
    expect(errorLines(run.stderr).first).toMatch(/^error\[CHIP_MISMATCH\]: the images are for esp32 .* connected chip is esp32c3/);
    const chip = ports.chips[0];
    expect(chip && flashChangingCommands(chip)).toBe(0);
  });
});

describe("bad ELF input is refused before any port is opened", () => {
  const f = files();
  const write = (name: string, bytes: Uint8Array | string): string => {
    writeFileSync(path.join(f.dir, name), bytes);
    return path.join(f.dir, name);
  };
  const esp32 = write("esp32.elf", makeElf(ESP32_LAST_PAGE.spec));
  const nowhere = write("nowhere.elf", makeElf({ machine: EM_RISCV, entry: 0x10000000, sections: [{ name: ".odd", addr: 0x10000000, data: pattern(64, "odd"), flags: FLAGS_DATA }] }));
  const truncated = write("truncated.elf", f.elfBytes.subarray(0, f.elfBytes.length - 100));
  const notElf = write("app.bin", makeImage({ chipId: 5 }));
  const badCsv = write("bad.csv", "nvs, data, nvs, 0x9000, 0x6000\nfactory, app, factory, 0x10000, 1Q\n");
  const port = "sim:esp32c3?flash=4MB&seed=3";

  it.each<[string, string[], number, RegExp]>([
    ["a file without address that is not an ELF", [notElf], 2, /^error\[USAGE\]: .*app\.bin is given without a flash address/],
    ["an Xtensa ELF for --chip esp32c3", ["--chip", "esp32c3", esp32], 5, /^error\[CHIP_MISMATCH\]: .*esp32\.elf is built for an Xtensa CPU/],
    ["an ELF whose sections lie outside the chip's map", ["--chip", "esp32c6", f.elf], 5, /^error\[CHIP_MISMATCH\]: .*lies outside esp32c6's address map/],
    ["an ELF whose sections fit no chip", [nowhere], 2, /^error\[IMAGE_INVALID\]: .*nowhere\.elf: .*address map of any riscv chip/],
    ["a truncated ELF", [truncated], 2, /^error\[IMAGE_INVALID\]: .*truncated\.elf: .*truncated/],
    ["an ELF for another chip than the bootloader", [esp32, "--bootloader", f.bootloader], 5, /^error\[CHIP_MISMATCH\]: .*esp32\.elf/],
    ["a CSV partition table with a mistake on line 2", [f.elf, "--partition-table", badCsv], 2, /^error\[PARTITION_TABLE_INVALID\]: .*bad\.csv:2:\d+: /],
  ])("%s", async (_name, argv, exit, message) => {
    const ports = recordPorts();
    const run = await runCli(["flash", "-p", port, ...argv], { env: cliEnv(f.dir), openPort: ports.openPort, listSerialPorts: async () => [] });
    expect(run.code, run.stderr).toBe(exit);
    const { first, hint } = errorLines(run.stderr);
    expect(first).toMatch(message);
    expect(hint).toMatch(/^hint: \S/);
    expect(ports.opened).toEqual([]);
  });
});

describe.skipIf(!HAS_FIRMWARE)(`the espflash Rust ELFs flash onto their simulated chips (skipped when ${NO_FIRMWARE})`, () => {
  it.each(["esp32", "esp32c3", "esp32s3"])("%s.elf with its espflash bootloader: written, verified, booted", async (chip) => {
    const dir = tempDir("espsync-elf-rust-");
    const flash = path.join(dir, "flash.bin");
    const table = path.join(dir, "parts.bin");
    writeFileSync(table, makePartitionTable(DEFAULT_PARTS));
    const elf = path.join(FIRMWARE_DIR, "espflash/elf", `${chip}.elf`);
    const bootloader = path.join(FIRMWARE_DIR, "espflash/bootloaders", `${chip}-bootloader.bin`);
    const env = cliEnv(dir);
    const url = simUrl(flash, 5, chip);
    // espflash's ESP32-S3 bootloader declares revisions up to v0.99; the simulated ESP32-S3 is a v1.1.
    const args = [elf, "--bootloader", bootloader, "--partition-table", table, ...(chip === "esp32s3" ? ["--force"] : [])];
    const run = await runCli(["flash", "-p", url, ...args], { env });
    expect(run.code, run.stderr).toBe(0);
    const bytes = flashFile(flash);
    const bootOffset = chip === "esp32" ? 0x1000 : 0x0;
    expect(bytes.subarray(bootOffset, bootOffset + 0x100)).toEqual(readFileSync(bootloader).subarray(0, 0x100));
    expectImageOfElf(new Uint8Array(readFileSync(elf)), imageAt(bytes, 0x10000), chip);
    expect((await runCli(["verify", "-p", url, ...args], { env })).code).toBe(0);
    // The esp-hal apps carry an app description (`.rodata_desc`) naming the project after the chip.
    const booted = await runCli(["monitor", "-p", url, "--expect", `Project name: +${chip}`, "--timeout", "10"], { env });
    expect(booted.code, booted.stdout + booted.stderr).toBe(0);
  });
});

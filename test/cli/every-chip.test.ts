/**
 * Every chip the simulator models, through the real CLI: flash, the unchanged re-flash that writes
 * nothing, verify, read and info; the real ESP-IDF builds of the newest chips boot to their app on
 * their simulated chip; and a build for one chip is refused on another before anything is written.
 * Chip ids, bootloader offsets and revisions are written out here from esptool's target files, not
 * taken from the code under test.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SIM_CHIPS } from "../../adapters/index.js";
import { runCli } from "./helpers.js";
import { cliEnv, errorLines, FIRMWARE_DIR, flashChangingCommands, flashFile, HAS_FIRMWARE, NO_FIRMWARE, recordPorts, simUrl, tempDir, writeBuild } from "./sim-rig.js";

/** Image chip id, bootloader offset and the description `info` gives for each simulated chip. */
const CHIPS: Record<string, { chipId: number; bootloaderOffset: number; description: string }> = {
  esp32: { chipId: 0, bootloaderOffset: 0x1000, description: "ESP32-D0WD-V3 (revision v3.0)" },
  esp32s2: { chipId: 2, bootloaderOffset: 0x1000, description: "ESP32-S2 (revision v0.0)" },
  esp32s3: { chipId: 9, bootloaderOffset: 0x0, description: "ESP32-S3 (QFN56) (revision v1.1)" },
  esp32c2: { chipId: 12, bootloaderOffset: 0x0, description: "ESP32-C2 (revision v1.0)" },
  esp32c3: { chipId: 5, bootloaderOffset: 0x0, description: "ESP32-C3 (QFN32) (revision v0.3)" },
  esp32c5: { chipId: 23, bootloaderOffset: 0x2000, description: "ESP32-C5 (revision v0.1)" },
  esp32c6: { chipId: 13, bootloaderOffset: 0x0, description: "ESP32-C6 (revision v0.1)" },
  esp32h2: { chipId: 16, bootloaderOffset: 0x0, description: "ESP32-H2 (revision v0.1)" },
  esp32p4: { chipId: 18, bootloaderOffset: 0x2000, description: "ESP32-P4 (revision v1.0)" },
  esp32c61: { chipId: 20, bootloaderOffset: 0x0, description: "ESP32-C61 (revision v1.0)" },
};

const json = <T>(text: string): T => JSON.parse(text) as T;

describe("every simulated chip through the CLI", () => {
  it("the simulator models exactly the chips listed here", () => {
    expect([...SIM_CHIPS].sort()).toEqual(Object.keys(CHIPS).sort());
  });

  it.each(Object.entries(CHIPS))("%s: flash, unchanged re-flash writes nothing, verify, read, info", async (chip, facts) => {
    const dir = tempDir();
    const build = writeBuild(dir, { chipId: facts.chipId, bootloaderOffset: facts.bootloaderOffset, project: `${chip}-app` });
    const file = path.join(dir, "flash.bin");
    const url = simUrl(file, 3, chip);
    const env = cliEnv(dir);

    const first = await runCli(["flash", "-p", url, ...build.pairs], { env });
    expect(first.code, first.stderr).toBe(0);
    const flash = flashFile(file);
    expect(Buffer.compare(flash.subarray(facts.bootloaderOffset, facts.bootloaderOffset + build.bytes.bootloader.length), build.bytes.bootloader)).toBe(0);
    expect(Buffer.compare(flash.subarray(0x8000, 0x8000 + build.bytes.table.length), build.bytes.table)).toBe(0);
    expect(Buffer.compare(flash.subarray(0x10000, 0x10000 + build.bytes.app.length), build.bytes.app)).toBe(0);

    const ports = recordPorts();
    const again = await runCli(["flash", "-p", url, ...build.pairs], { env, openPort: ports.openPort });
    expect(again.code, again.stderr).toBe(0);
    expect(flashChangingCommands(ports.chips[0]!)).toBe(0);

    expect((await runCli(["verify", "-p", url, ...build.pairs], { env })).code).toBe(0);

    const out = path.join(dir, "app-read.bin");
    const read = await runCli(["read", "-p", url, "0x10000", String(build.bytes.app.length), out], { env });
    expect(read.code, read.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(out), build.bytes.app)).toBe(0);

    const info = await runCli(["info", "-p", url, "--json"], { env });
    expect(info.code, info.stderr).toBe(0);
    const described = json<{ boards: { chip: { chip: string; description: string } }[] }>(info.stdout).boards[0]?.chip;
    expect(described).toMatchObject({ chip, description: facts.description });

    const booted = await runCli(["monitor", "-p", url, "--expect", `Project name: +${chip}-app`, "--timeout", "10"], { env });
    expect(booted.code, booted.stderr).toBe(0);
  });

  // Among the chips added last and the C3 whose builds are most common: every ordered wrong pair.
  const NEW = ["esp32c2", "esp32c3", "esp32c5", "esp32p4", "esp32c61"] as const;
  const pairs = NEW.flatMap((image) => NEW.filter((chip) => chip !== image).map((chip) => [image, chip] as const));
  it.each(pairs)("a build for %s is refused on a simulated %s before anything is written", async (image, chip) => {
    const dir = tempDir();
    const build = writeBuild(dir, { chipId: CHIPS[image]!.chipId, bootloaderOffset: CHIPS[chip]!.bootloaderOffset });
    const ports = recordPorts();
    const result = await runCli(["flash", "-p", simUrl(path.join(dir, "flash.bin"), 3, chip), ...build.pairs], { env: cliEnv(dir), openPort: ports.openPort });
    expect(result.code).toBe(5); // refused
    const { first, hint } = errorLines(result.stderr);
    expect(first).toMatch(/^error\[CHIP_MISMATCH\]: /);
    // Named from the bootloader when it sits where the connected chip expects one, else per image.
    expect(first).toMatch(new RegExp(`(the images are for|is built for) ${image}\\b`));
    expect(first).toContain(`the connected chip is ${chip}`);
    expect(hint).toBeDefined();
    expect(flashChangingCommands(ports.chips[0]!)).toBe(0);
    expect(ports.chips[0]!.flash.counters.bytesProgrammed).toBe(0);
  });
});

describe.skipIf(!HAS_FIRMWARE)(`real ESP-IDF builds boot on their simulated chip (skipped when ${NO_FIRMWARE})`, () => {
  const BUILDS = [
    ["esp32c2", "idf-hello-v5.2", 0x0],
    ["esp32c5", "idf-hello-v5.3", 0x2000],
    ["esp32p4", "idf-hello-v5.3", 0x2000],
  ] as const;
  it.each(BUILDS)("%s: hello_world from %s flashes, re-flashes as nothing, and the monitor sees its app line", async (chip, folder, bootloaderOffset) => {
    const dir = tempDir();
    const at = (f: string) => path.join(FIRMWARE_DIR, folder, chip, f);
    const args = [`0x${bootloaderOffset.toString(16)}`, at("bootloader.bin"), "0x8000", at("partition-table.bin"), "0x10000", at("hello_world.bin")];
    const url = simUrl(path.join(dir, "flash.bin"), 3, chip);
    const env = cliEnv(dir);
    const first = await runCli(["flash", "-p", url, ...args], { env });
    expect(first.code, first.stderr).toBe(0);
    const app = readFileSync(at("hello_world.bin"));
    expect(Buffer.compare(flashFile(path.join(dir, "flash.bin")).subarray(0x10000, 0x10000 + app.length), app)).toBe(0);

    const ports = recordPorts();
    expect((await runCli(["flash", "-p", url, ...args], { env, openPort: ports.openPort })).code).toBe(0);
    expect(flashChangingCommands(ports.chips[0]!)).toBe(0);

    const booted = await runCli(["monitor", "-p", url, "--expect", "Project name: +hello_world", "--timeout", "10"], { env });
    expect(booted.code, booted.stderr).toBe(0);
    expect(booted.stdout).toMatch(/--- matched: .*Project name: +hello_world/);
  });

  it("the ESP32-C3 hello_world on a simulated ESP32-P4 is refused before anything is written, naming both chips", async () => {
    const dir = tempDir();
    const c3 = (f: string) => path.join(FIRMWARE_DIR, "idf-hello-v5.2", "esp32c3", f);
    const ports = recordPorts();
    const result = await runCli(["flash", "-p", simUrl(path.join(dir, "flash.bin"), 3, "esp32p4"), "0x0", c3("bootloader.bin"), "0x8000", c3("partition-table.bin"), "0x10000", c3("hello_world.bin")], {
      env: cliEnv(dir),
      openPort: ports.openPort,
    });
    expect(result.code).toBe(5); // refused
    expect(errorLines(result.stderr).first).toMatch(/^error\[CHIP_MISMATCH\]: .*esp32c3.*esp32p4/);
    expect(flashChangingCommands(ports.chips[0]!)).toBe(0);
  });
});

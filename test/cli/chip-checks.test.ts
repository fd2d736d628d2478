/**
 * The chip checks that come before writing: a chip named with --chip is checked against the images
 * before the port is opened; a file that is an image for another chip is refused even where no image
 * is expected; a --flash-size larger than the chip's flash is refused unless --force; a file that is not
 * a partition table is refused at the table's offset unless --force.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeApp, makeImage } from "../image/make-image.js";
import { runCli } from "./helpers.js";
import { cliEnv, errorLines, flashChangingCommands, recordPorts, simUrl, tempDir, writeBuild } from "./sim-rig.js";

describe("chip checks before writing", () => {
  it("--chip esp32c3 with an ESP32 image is refused before the port is opened", async () => {
    const dir = tempDir();
    const app = path.join(dir, "esp32-app.bin");
    writeFileSync(app, makeApp({ chipId: 0 }));
    const ports = recordPorts();
    const result = await runCli(["flash", "-p", simUrl(path.join(dir, "f.bin")), "--chip", "esp32c3", "0x10000", app], { env: cliEnv(dir), openPort: ports.openPort });
    expect(result.code).toBe(5);
    expect(errorLines(result.stderr).first).toBe(`error[CHIP_MISMATCH]: ${app} at 0x00010000 is built for esp32 (chip id 0), but --chip is esp32c3`);
    expect(ports.opened).toEqual([]);
  });

  it("an image for another chip given as plain data (an ESP32 bootloader at 0x1000 on an ESP32-C3) is refused before writing", async () => {
    const dir = tempDir();
    const image = path.join(dir, "esp32-bootloader.bin");
    writeFileSync(image, makeImage({ chipId: 0 }));
    const ports = recordPorts();
    const result = await runCli(["flash", "-p", simUrl(path.join(dir, "f.bin")), "0x20000", image], { env: cliEnv(dir), openPort: ports.openPort });
    expect(result.code).toBe(5);
    expect(errorLines(result.stderr).first).toMatch(/^error\[CHIP_MISMATCH\]: .*esp32 .*esp32c3/);
    expect(flashChangingCommands(ports.chips[0]!)).toBe(0);
  });

  it("--flash-size larger than the chip's flash is refused after connecting, before writing, unless --force", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const url = simUrl(path.join(dir, "f.bin")); // a 4 MB flash
    const ports = recordPorts();
    const refused = await runCli(["flash", "-p", url, "--flash-size", "32MB", ...build.pairs], { env: cliEnv(dir), openPort: ports.openPort });
    expect(refused.code).toBe(2);
    expect(errorLines(refused.stderr).first).toBe("error[LAYOUT_OUT_OF_RANGE]: --flash-size 32MB is larger than the 4 MB flash the chip reports");
    expect(flashChangingCommands(ports.chips[0]!)).toBe(0);
    const forced = await runCli(["flash", "-p", url, "--flash-size", "32MB", "--force", ...build.pairs], { env: cliEnv(dir) });
    expect(forced.code, forced.stderr).toBe(0);
    expect((await runCli(["flash", "-p", url, "--flash-size", "2MB", ...build.pairs], { env: cliEnv(dir) })).code).toBe(0);
  });

  it("a file that is not a partition table at 0x8000 is refused before connecting; --force writes it", async () => {
    const dir = tempDir();
    const noise = path.join(dir, "noise.bin");
    writeFileSync(noise, Uint8Array.from({ length: 3072 }, (_, i) => (i * 151 + 7) % 251));
    const file = path.join(dir, "f.bin");
    const ports = recordPorts();
    const refused = await runCli(["flash", "-p", simUrl(file), "0x8000", noise], { env: cliEnv(dir), openPort: ports.openPort });
    expect(refused.code).toBe(2);
    expect(errorLines(refused.stderr).first).toMatch(/^error\[PARTITION_TABLE_INVALID\]: .*noise\.bin at 0x00008000 is not a partition table/);
    expect(ports.opened).toEqual([]);
    const forced = await runCli(["flash", "-p", simUrl(file), "0x8000", noise, "--force"], { env: cliEnv(dir) });
    expect(forced.code, forced.stderr).toBe(0);
  });
});

/**
 * `espsync sim --usb [jtag|otg]`: `--usb` alone keeps meaning the USB-Serial/JTAG port, `--usb otg`
 * the ROM's USB-OTG port; a chip without the port kind asked for is refused before anything is
 * served, naming the chips that have it.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";
import { cliEnv, tempDir } from "./sim-rig.js";

/** Runs `espsync sim` in process until it serves (or fails), then stops it. */
async function sim(argv: string[]) {
  const controller = new AbortController();
  const running = runCli(["sim", ...argv, "--listen", "127.0.0.1:0"], { env: cliEnv(tempDir()), signal: controller.signal });
  const timer = setTimeout(() => controller.abort(), 300);
  const result = await running;
  clearTimeout(timer);
  return result;
}

describe("espsync sim --usb", () => {
  it.each([
    [["--chip", "esp32s3", "--usb", "otg"]],
    [["--chip", "esp32s2", "--usb", "otg"]],
    [["--chip", "esp32c3", "--usb"]],
    [["--chip", "esp32c3", "--usb", "jtag"]],
  ])("serves %j", async (argv) => {
    const result = await sim(argv);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/serving on socket:\/\/127\.0\.0\.1:\d+/);
  });

  it.each([
    [["--chip", "esp32c3", "--usb", "otg"], /ESP32-C3 has no USB-OTG port for espsync sim --chip esp32c3\nhint: Simulated chips with a USB-OTG port: esp32s2, esp32s3/],
    [["--chip", "esp32", "--usb"], /ESP32 has no USB-Serial\/JTAG port for espsync sim --chip esp32\nhint: Simulated chips with a USB-Serial\/JTAG port: esp32s3, esp32c3/],
    [["--chip", "esp32s3", "--usb", "serial"], /invalid usb "serial" for espsync sim --chip esp32s3\nhint: Use usb=1/],
  ])("refuses %j with USAGE (exit 2)", async (argv, message) => {
    const result = await sim(argv as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error\[USAGE\]: the simulated |^error\[USAGE\]: invalid usb/m);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).not.toMatch(/serving on/);
  });
});

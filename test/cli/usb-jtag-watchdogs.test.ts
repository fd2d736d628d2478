/**
 * After connecting over the USB-Serial/JTAG peripheral, esptool's `disable_watchdogs`: the RTC
 * watchdog switched off and the super watchdog set to feed itself, because a USB reset leaves them
 * running and they would reset the chip mid-write. Sent in ROM mode only — not to a stub found
 * running, not in Secure Download Mode, not over a UART. Addresses and keys are esptool's
 * (targets/esp32c3.py, esp32s3.py), written out here.
 */
import { describe, expect, it } from "vitest";
import { createVirtualChip, parseSimUrl, type VirtualChip } from "../../adapters/index.js";
import { runCli } from "./helpers.js";
import { cliEnv, recordPorts, tempDir, writeBuild } from "./sim-rig.js";
import { tapChip } from "./wire-tap.js";

const C3 = {
  sequence: [
    "WRITE_REG 600080a8 50d83aa1 mask ffffffff delay 0", // WDTWPROTECT = WDT key
    "WRITE_REG 60008090 00000000 mask ffffffff delay 0", // WDTCONFIG0 = 0
    "WRITE_REG 600080a8 00000000 mask ffffffff delay 0",
    "WRITE_REG 600080b0 8f1d312a mask ffffffff delay 0", // SWD_WPROTECT = SWD key
    "READ_REG 600080ac", // SWD_CONF
    "WRITE_REG 600080ac 80000000 mask ffffffff delay 0", // | SWD_AUTO_FEED_EN (1 << 31)
    "WRITE_REG 600080b0 00000000 mask ffffffff delay 0",
  ],
  regs: [0x600080a8, 0x60008090, 0x600080b0, 0x600080ac],
};
const S3 = {
  sequence: [
    "WRITE_REG 600080b0 50d83aa1 mask ffffffff delay 0",
    "WRITE_REG 60008098 00000000 mask ffffffff delay 0",
    "WRITE_REG 600080b0 00000000 mask ffffffff delay 0",
    "WRITE_REG 600080b8 8f1d312a mask ffffffff delay 0",
    "READ_REG 600080b4",
    "WRITE_REG 600080b4 80000000 mask ffffffff delay 0",
    "WRITE_REG 600080b8 00000000 mask ffffffff delay 0",
  ],
  regs: [0x600080b0, 0x60008098, 0x600080b8, 0x600080b4],
};

async function run(url: string, chip: VirtualChip, argv: string[]) {
  const result = await runCli(argv, { env: cliEnv(tempDir()), openPort: recordPorts({ [url]: chip }).openPort });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

describe("disable_watchdogs over USB-Serial/JTAG", () => {
  it.each([
    ["esp32c3", 5, C3],
    ["esp32s3", 9, S3],
  ] as const)("%s: sent in ROM mode, before the stub upload, one WRITE_REG each as esptool does", async (name, chipId, expected) => {
    const url = `sim:${name}?usb=1&flash=4MB&seed=21`;
    const chip = createVirtualChip(parseSimUrl(url));
    const tap = tapChip(chip);
    const dir = tempDir();
    const build = writeBuild(dir, { project: "jtag-app", chipId });
    await run(url, chip, ["flash", "-p", url, ...build.pairs, "--after", "no-reset-stub"]);
    const all = tap.events.map((e) => (e.kind === "request" ? e.op : -1));
    const first = tap.from(expected.sequence[0]!);
    expect(first.slice(0, 7)).toEqual(expected.sequence);
    // Before the stub went up (MEM_BEGIN), i.e. to the ROM.
    expect(tap.events.length - first.length).toBeLessThan(all.indexOf(0x05));
    expect(tap.writesTo(expected.regs)).toHaveLength(6); // nothing else touched them
    expect(chip.regs.read(expected.regs[3]!) >>> 31).toBe(1); // the super watchdog feeds itself
  });

  it("not over a UART, not in Secure Download Mode, and not to a stub left running by an earlier session", async () => {
    for (const url of ["sim:esp32c3?flash=4MB&seed=22", "sim:esp32c3?usb=1&sdm=1&flash=4MB&seed=23"]) {
      const chip = createVirtualChip(parseSimUrl(url));
      const tap = tapChip(chip);
      await run(url, chip, ["info", "-p", url, "--after", "no-reset"]);
      expect(tap.writesTo(C3.regs), url).toEqual([]);
    }
    const url = "sim:esp32c3?usb=1&flash=4MB&seed=24";
    const chip = createVirtualChip(parseSimUrl(url));
    const tap = tapChip(chip);
    const build = writeBuild(tempDir(), { project: "stub-left", chipId: 5 });
    await run(url, chip, ["flash", "-p", url, ...build.pairs, "--baud", "115200", "--after", "no-reset-stub"]);
    expect(chip.mode).toBe("stub");
    expect(tap.writesTo(C3.regs)).toHaveLength(6);
    const before = tap.events.length;
    await run(url, chip, ["info", "-p", url, "--before", "no-reset-no-sync", "--after", "no-reset-stub"]);
    expect(tap.events.length).toBeGreaterThan(before);
    expect(tap.writesTo(C3.regs)).toHaveLength(6); // none added
  });
});

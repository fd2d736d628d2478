/**
 * Bad input never touches a chip: every usage error exits 2 with a one-line reason and a hint, and
 * no port is opened at all. Refusals that need the chip (wrong chip, range past the flash) exit
 * with their documented code and leave the virtual chip's flash untouched.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeApp } from "../image/make-image.js";
import { runCli } from "./helpers.js";
import { cliEnv, errorLines, flashChangingCommands, recordPorts, simUrl, tempDir, writeBuild } from "./sim-rig.js";

const dir = tempDir();
const build = writeBuild(dir);
const corrupt = path.join(dir, "corrupt.bin");
writeFileSync(corrupt, makeApp().subarray(0, 200));
const data = path.join(dir, "data.bin");
writeFileSync(data, new Uint8Array(0x2000).fill(0x11));
const port = "sim:esp32c3?flash=4MB&seed=3";

const CASES: [string, string[], string, RegExp][] = [
  ["missing file", ["flash", "-p", port, "0x10000", path.join(dir, "nope.bin")], "FILE_NOT_FOUND", /nope\.bin/],
  ["bad address", ["flash", "-p", port, "0x1Z000", build.app], "ADDRESS_INVALID", /0x1Z000/],
  ["unaligned address", ["flash", "-p", port, "0x10100", build.app], "ADDRESS_UNALIGNED", /0x00010100/],
  ["overlap", ["flash", "-p", port, "0x10000", build.app, "0x11000", data], "LAYOUT_OVERLAP", /overlaps/],
  ["odd pairs", ["flash", "-p", port, "0x10000", build.app, "0x20000"], "USAGE", /no partner/],
  ["nothing to flash", ["flash", "-p", port], "USAGE", /nothing to flash/],
  ["invalid image", ["flash", "-p", port, "0x10000", corrupt], "IMAGE_INVALID", /corrupt\.bin/],
  ["unknown chip", ["flash", "-p", port, "--chip", "esp99", ...build.pairs], "CHIP_UNKNOWN", /esp99/],
  ["bad baud", ["flash", "-p", port, "-b", "12345", ...build.pairs], "BAUD_INVALID", /12345/],
  ["bad --after", ["flash", "-p", port, "--after", "explode", ...build.pairs], "USAGE", /--after explode/],
  ["bad --flash-mode", ["flash", "-p", port, "--flash-mode", "octal", ...build.pairs], "USAGE", /octal/],
  ["--expect without --monitor", ["flash", "-p", port, "--expect", "x", ...build.pairs], "USAGE", /--monitor/],
  ["bad regex", ["monitor", "-p", port, "--expect", "(unclosed"], "USAGE", /\(unclosed/],
  ["bad monitor baud", ["monitor", "-p", port, "--monitor-baud", "1234"], "BAUD_INVALID", /1234/],
  ["unknown port form", ["info", "-p", "printer"], "USAGE", /printer/],
  ["erase-region unaligned address", ["erase-region", "-p", port, "0x11001", "0x1000"], "ADDRESS_UNALIGNED", /0x00011001/],
  ["erase-region unaligned size", ["erase-region", "-p", port, "0x11000", "0x800"], "ADDRESS_UNALIGNED", /size 0x00000800/],
  ["read with a bad size", ["read", "-p", port, "0x0", "lots", path.join(dir, "out.bin")], "USAGE", /"lots"/],
  ["read with size 0", ["read", "-p", port, "0x0", "0", path.join(dir, "out.bin")], "USAGE", /read size "0"/],
  ["read into a missing directory", ["read", "-p", port, "0x0", "0x1000", path.join(dir, "no-dir", "out.bin")], "FILE_UNWRITABLE", /no-dir/],
  ["read from two boards", ["read", "-p", port, "-p", "sim:esp32c3?seed=4", "0x0", "0x1000", path.join(dir, "out.bin")], "USAGE", /one board/],
];

describe("bad usage exits 2 before any port is opened", () => {
  it.each(CASES)("%s", async (_name, argv, code, names) => {
    const ports = recordPorts();
    const result = await runCli(argv, { env: cliEnv(dir), openPort: ports.openPort, listSerialPorts: async () => [] });
    expect(result.code, result.stderr).toBe(2);
    const { first, hint } = errorLines(result.stderr);
    expect(first).toMatch(new RegExp(`^error\\[${code}\\]: `));
    expect(first).toMatch(names);
    expect(hint).toMatch(/^hint: \S/);
    expect(ports.opened).toEqual([]);
  });
});

describe("refusals after connecting leave the flash untouched", () => {
  it("images for another chip: exit 5, CHIP_MISMATCH, nothing erased or written", async () => {
    const s3 = tempDir();
    const other = writeBuild(s3, { chipId: 9 });
    const ports = recordPorts();
    const result = await runCli(["flash", "-p", simUrl(path.join(s3, "f.bin")), ...other.pairs], { env: cliEnv(s3), openPort: ports.openPort });
    expect(result.code).toBe(5);
    expect(errorLines(result.stderr).first).toMatch(/^error\[CHIP_MISMATCH\]: .*esp32c3/);
    const chip = ports.chips[0]!;
    expect(chip.flash.counters.sectorsErased + chip.flash.counters.blocksErased + chip.flash.counters.bytesProgrammed).toBe(0);
    expect(flashChangingCommands(chip)).toBe(0);
  });

  it("erase-region past the end of the flash: exit 2, LAYOUT_OUT_OF_RANGE, nothing erased", async () => {
    const ports = recordPorts();
    const result = await runCli(["erase-region", "-p", port, "0x3ff000", "0x2000"], { openPort: ports.openPort });
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr).first).toMatch(/^error\[LAYOUT_OUT_OF_RANGE\]: .*0x003ff000\.\.0x00401000/);
    expect(ports.chips[0]!.flash.counters.sectorsErased + ports.chips[0]!.flash.counters.blocksErased).toBe(0);
    expect(flashChangingCommands(ports.chips[0]!)).toBe(0);
  });
});

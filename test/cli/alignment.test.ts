/**
 * The sector-alignment rule is worded once: flash, verify, erase-region (address and size), merge's
 * --target-offset and the protocol layer's write all say `<what> 0x… is not a multiple of 4 KiB
 * (0x1000)` with the same hint and ADDRESS_UNALIGNED, before any port is opened.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";
import { cliEnv, errorLines, recordPorts, tempDir, writeBuild } from "./sim-rig.js";

const dir = tempDir();
const build = writeBuild(dir);
const PORT = "sim:esp32c3?seed=3";

const CASES: [string, string[], string, string][] = [
  ["flash", ["flash", "-p", PORT, "0x10100", build.app], `${build.app}: address 0x00010100 is not a multiple of 4 KiB (0x1000)`, "Flash is erased in 4 KiB sectors; use an address such as 0x00010000."],
  ["verify", ["verify", "-p", PORT, "0x10100", build.app], `${build.app}: address 0x00010100 is not a multiple of 4 KiB (0x1000)`, "Flash is erased in 4 KiB sectors; use an address such as 0x00010000."],
  ["erase-region, address", ["erase-region", "-p", PORT, "0x11001", "0x1000"], "espsync erase-region: address 0x00011001 is not a multiple of 4 KiB (0x1000)", "Flash is erased in 4 KiB sectors; use an address such as 0x00011000."],
  ["erase-region, size", ["erase-region", "-p", PORT, "0x11000", "0x1800"], "espsync erase-region: size 0x00001800 is not a multiple of 4 KiB (0x1000)", "Flash is erased in 4 KiB sectors; use a size such as 0x00002000."],
  ["merge --target-offset", ["merge", "-o", path.join(dir, "m.bin"), "--target-offset", "0x800", "0x10000", build.app], "--target-offset 0x00000800 is not a multiple of 4 KiB (0x1000)", "Flash is erased in 4 KiB sectors; use an address such as 0x00000000."],
];

describe("one wording of the sector-alignment rule", () => {
  for (const [name, argv, message, hint] of CASES) {
    it(name, async () => {
      const ports = recordPorts();
      const result = await runCli(argv, { env: cliEnv(dir), openPort: ports.openPort });
      expect(result.code).toBe(2);
      expect(errorLines(result.stderr)).toEqual({ first: `error[ADDRESS_UNALIGNED]: ${message}`, hint: `hint: ${hint}` });
      expect(ports.opened).toEqual([]);
    });
  }
});

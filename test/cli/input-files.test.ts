/**
 * Input files that are not regular files: /dev/null (a character device) and a pipe are named for
 * what they are — not "a directory" — by every command that reads one, before any port is opened;
 * an empty regular file keeps its own error; and /dev/null as `read`'s output is allowed, as
 * esptool's read_flash allows it.
 */
import { execFileSync } from "node:child_process";
import { createReadStream, lstatSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";
import { cliEnv, errorLines, recordPorts, tempDir, writeBuild } from "./sim-rig.js";

const dir = tempDir();
const build = writeBuild(dir);
const empty = path.join(dir, "empty.bin");
writeFileSync(empty, new Uint8Array(0));
const pipe = path.join(dir, "a-pipe");
execFileSync("mkfifo", [pipe]);
const PORT = "sim:esp32c3?seed=3";
const DEVICE_HINT = "hint: Name the file itself; espsync reads its inputs from regular files only, not from devices, pipes or sockets.";

const REFUSED: [string, string[], string, string][] = [
  ["flash, an image", ["flash", "-p", PORT, "0x10000", "/dev/null"], "FILE_UNREADABLE", "/dev/null (for 0x00010000): is a character device, not a regular file"],
  ["flash, --partition-table", ["flash", "-p", PORT, "--partition-table", "/dev/null", "0x10000", build.app], "FILE_UNREADABLE", "/dev/null (--partition-table): is a character device, not a regular file"],
  ["flash, --flasher-args", ["flash", "-p", PORT, "--flasher-args", "/dev/null"], "FLASHER_ARGS_INVALID", "/dev/null: is a character device, not a regular file"],
  ["verify", ["verify", "-p", PORT, "0x10000", "/dev/null"], "FILE_UNREADABLE", "/dev/null (for 0x00010000): is a character device, not a regular file"],
  ["merge", ["merge", "-o", path.join(dir, "merged.bin"), "0x0", "/dev/null"], "FILE_UNREADABLE", "/dev/null (for 0x00000000): is a character device, not a regular file"],
  ["image-info", ["image-info", "/dev/null"], "FILE_UNREADABLE", "/dev/null: is a character device, not a regular file"],
  ["partitions", ["partitions", "/dev/null"], "FILE_UNREADABLE", "/dev/null: is a character device, not a regular file"],
  ["elf2image", ["elf2image", "/dev/null", "-o", path.join(dir, "out.bin")], "FILE_UNREADABLE", "/dev/null: is a character device, not a regular file"],
  ["image-info, a pipe", ["image-info", pipe], "FILE_UNREADABLE", `${pipe}: is a pipe, not a regular file`],
];

describe("input files that are not regular files", () => {
  for (const [name, argv, code, message] of REFUSED) {
    it(`${name}: says what the file is, opens no port`, async () => {
      const ports = recordPorts();
      const result = await runCli(argv, { env: cliEnv(dir), openPort: ports.openPort });
      expect(result.code).toBe(2);
      const { first, hint } = errorLines(result.stderr);
      expect(first).toBe(`error[${code}]: ${message}`);
      expect(hint).toBe(DEVICE_HINT);
      expect(ports.opened).toEqual([]);
    });
  }

  it("keeps the empty-file error for an empty regular file", async () => {
    const flash = await runCli(["flash", "-p", PORT, "0x10000", empty], { env: cliEnv(dir) });
    expect(errorLines(flash.stderr).first).toBe(`error[FILE_EMPTY]: ${empty} (for 0x00010000): file is empty`);
    const info = await runCli(["image-info", empty]);
    expect(errorLines(info.stderr).first).toBe(`error[FILE_EMPTY]: ${empty}: file is empty`);
  });

  it("still calls a directory a directory", async () => {
    const result = await runCli(["image-info", dir]);
    expect(errorLines(result.stderr)).toEqual({ first: `error[FILE_UNREADABLE]: ${dir}: is a directory, not a file`, hint: "hint: Name an image or ELF file inside it." });
  });

  // Not /dev/null itself: were the output renamed into place, a test run as root would replace it.
  it("reads flash into a pipe (as into /dev/null, as esptool's read_flash does): written as it is, never replaced by a file", async () => {
    const fifo = path.join(dir, "out.fifo");
    execFileSync("mkfifo", [fifo]);
    const received = new Promise<number>((resolve, reject) => {
      let bytes = 0;
      createReadStream(fifo).on("data", (chunk) => (bytes += chunk.length)).on("end", () => resolve(bytes)).on("error", reject);
    });
    const result = await runCli(["read", "-p", PORT, "0x0", "0x1000", fifo], { env: cliEnv(dir) });
    expect(result.stderr).not.toContain("error[");
    expect(result.code).toBe(0);
    expect(await received).toBe(0x1000);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
});

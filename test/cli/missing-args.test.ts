/**
 * A command line that stops short of a command's arguments names what is missing, by the usage's
 * names, with the usage and an example — not yargs's "Not enough non-option arguments: got 1,
 * need at least 3". Nothing is opened: the port in these lines does not exist.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";
import { errorLines } from "./sim-rig.js";

describe("missing arguments", () => {
  it.each([
    [["read", "-p", "/dev/ttyNOPE", "0x0"], "error[USAGE]: espsync read: missing SIZE and FILE", "hint: Usage: espsync read ADDR SIZE FILE [options]. For example: espsync read -p /dev/ttyUSB0 0x0 4M backup.bin"],
    [["read-flash", "0x0", "4M"], "error[USAGE]: espsync read: missing FILE", "hint: Usage: espsync read ADDR SIZE FILE [options]. For example: espsync read -p /dev/ttyUSB0 0x0 4M backup.bin"],
    [["erase-region", "-p", "/dev/ttyNOPE"], "error[USAGE]: espsync erase-region: missing ADDR and SIZE", "hint: Usage: espsync erase-region ADDR SIZE [options]. For example: espsync erase-region -p /dev/ttyUSB0 0x9000 0x6000"],
    [["elf2image"], "error[USAGE]: espsync elf2image: missing ELF", "hint: Usage: espsync elf2image ELF [options]. For example: espsync elf2image app.elf -o app.bin"],
  ])("espsync %j → exit 2 naming the missing arguments", async (argv, first, hint) => {
    const result = await runCli(argv);
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toEqual({ first, hint });
  });

  it("--json: the error document on stdout", async () => {
    const result = await runCli(["image-info", "--json"]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: { code: "USAGE", message: "espsync image-info: missing FILE", hint: "Usage: espsync image-info FILE [options]. For example: espsync image-info build/hello_world.bin" },
    });
  });
});

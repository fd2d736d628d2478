/**
 * What strict parsing refuses is reported in espsync's own format: each unknown option once, as
 * typed, with the nearest valid option of the command; stray arguments with the command's usage;
 * an unknown command with the nearest command; and with --json, the JSON error document too.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";

describe("unknown arguments", () => {
  it("names an unknown option once, as typed, and suggests the command's nearest option", async () => {
    const result = await runCli(["flash", "--flash-sise", "4MB", "0x10000", "app.bin"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error[USAGE]: espsync flash: unknown option --flash-sise\n" +
        "hint: Did you mean --flash-size? Usage: espsync flash [pairs..] [options]; espsync flash --help lists its options.\n",
    );
  });

  it("does not repeat a dashed option in its camel-cased form", async () => {
    const result = await runCli(["info", "--bogus-flag"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error[USAGE]: espsync info: unknown option --bogus-flag\nhint: Usage: espsync info [options]; espsync info --help lists its options.\n");
  });

  it("suggests for each of several unknown options, a swapped pair of letters counting as one slip", async () => {
    const result = await runCli(["flash", "--prot", "sim:esp32c3", "--flash-sise", "4MB", "-Z", "0x10000", "app.bin"]);
    expect(result.stderr.split("\n")[0]).toBe("error[USAGE]: espsync flash: unknown options --prot, --flash-sise, -Z");
    expect(result.stderr.split("\n")[1]).toBe(
      "hint: Did you mean --port for --prot and --flash-size for --flash-sise? Usage: espsync flash [pairs..] [options]; espsync flash --help lists its options.",
    );
  });

  it("names a negated unknown option as typed", async () => {
    const result = await runCli(["erase", "--no-bogus"]);
    expect(result.stderr.split("\n")[0]).toBe("error[USAGE]: espsync erase: unknown option --no-bogus");
  });

  it("names stray positionals as typed (not as yargs's numbers) with the command's usage", async () => {
    const info = await runCli(["info", "0", "x"]);
    expect(info.code).toBe(2);
    expect(info.stderr).toBe('error[USAGE]: espsync info: unexpected arguments "0", "x"\nhint: Usage: espsync info [options]; espsync info --help lists its options.\n');
    const read = await runCli(["read", "0x0", "0x1000", "out.bin", "0x10"]);
    expect(read.stderr).toBe(
      'error[USAGE]: espsync read: unexpected argument "0x10"\nhint: Usage: espsync read <addr> <size> <file> [options]; espsync read --help lists its options.\n',
    );
  });

  it("suggests the nearest command for an unknown one", async () => {
    const typo = await runCli(["flsh", "0x10000", "app.bin"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('error[USAGE]: unknown command "flsh"\nhint: Did you mean flash? Run espsync --help to see the commands.\n');
    const far = await runCli(["frobnicate"]);
    expect(far.stderr).toBe('error[USAGE]: unknown command "frobnicate"\nhint: Run espsync --help to see the commands.\n');
  });

  it("prints the JSON error document with --json", async () => {
    const result = await runCli(["info", "--json", "--chp", "esp32"]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: { code: "USAGE", message: "espsync info: unknown option --chp", hint: "Did you mean --chip? Usage: espsync info [options]; espsync info --help lists its options." },
    });
  });

  it("prints the JSON error document with --json for the parser's other refusals too", async () => {
    const result = await runCli(["read", "--json", "0x0"]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: "USAGE" } });
  });
});

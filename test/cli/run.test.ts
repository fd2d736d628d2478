import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { normaliseGlobalOptions } from "../../src/cli/global-options.js";
import { VERSION } from "../../src/cli/version.js";
import { runCli } from "./helpers.js";

describe("espsync run(argv, io)", () => {
  it("reports the package version", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
    const result = await runCli(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it("exits 2 with a one-line reason and a hint when no command is given", async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error\[USAGE\]: .+\nhint: .+\n$/);
  });

  it("exits 2 on an unknown command and on an unknown option", async () => {
    for (const argv of [["frobnicate"], ["sim", "--no-such-option"]]) {
      const result = await runCli(argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr.split("\n")[0]).toMatch(/^error\[USAGE\]: /);
      expect(result.stderr).toMatch(/\nhint: /);
    }
  });

  it("prints help with examples for every command", async () => {
    for (const spec of COMMANDS) {
      const name = spec.command.split(" ")[0]!;
      const result = await runCli([name, "--help"]);
      expect(result.code, name).toBe(0);
      expect(result.stdout, name).toContain("Examples:");
      expect(result.stdout, name).toContain(spec.examples[0]![0]);
    }
  });
});

describe("global options", () => {
  it("accepts esptool's spellings of --before and --after with - or _", () => {
    expect(normaliseGlobalOptions({ after: "hard-reset", before: "no_reset" }, {})).toMatchObject({ after: "hard_reset", before: "no_reset" });
    expect(normaliseGlobalOptions({ after: "no-reset-stub" }, {})).toMatchObject({ after: "no_reset_stub", before: "default_reset" });
  });

  it("takes port, baud and chip from ESPSYNC_* when not given", () => {
    const env = { ESPSYNC_PORT: "/dev/ttyUSB0,/dev/ttyUSB1", ESPSYNC_BAUD: "460800", ESPSYNC_CHIP: "esp32c3" };
    expect(normaliseGlobalOptions({}, env)).toMatchObject({ ports: ["/dev/ttyUSB0", "/dev/ttyUSB1"], baud: 460800, chip: "esp32c3" });
    expect(normaliseGlobalOptions({ port: ["sim:esp32"], baud: 115200, chip: "ESP32-S3" }, env)).toMatchObject({
      ports: ["sim:esp32"],
      baud: 115200,
      chip: "esp32s3",
    });
  });

  it("refuses an unknown chip, an unsupported baud and an unknown mode with their own codes", () => {
    expect(() => normaliseGlobalOptions({ chip: "esp99" }, {})).toThrowError(expect.objectContaining({ code: "CHIP_UNKNOWN" }));
    expect(() => normaliseGlobalOptions({ baud: 123 }, {})).toThrowError(expect.objectContaining({ code: "BAUD_INVALID" }));
    expect(() => normaliseGlobalOptions({ after: "explode" }, {})).toThrowError(expect.objectContaining({ code: "USAGE" }));
  });
});

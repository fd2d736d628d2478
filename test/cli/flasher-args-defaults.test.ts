/**
 * flasher_args.json's `extra_esptool_args` as defaults: its `after` decides how the chip is left
 * unless the command line or ESPSYNC_AFTER says otherwise. Proven by the virtual chip's own mode
 * after the run (`app` once it was reset into its firmware, `stub`/`rom` while still in the loader).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";
import { cliEnv, errorLines, recordPorts, tempDir, writeBuild } from "./sim-rig.js";

/** A build directory with the generated images and a flasher_args.json carrying `extra` as extra_esptool_args. */
function buildWithFlasherArgs(extra: Record<string, unknown>): { dir: string; flasherArgs: string; app: Uint8Array } {
  const dir = tempDir();
  const build = writeBuild(dir);
  const flasherArgs = path.join(dir, "flasher_args.json");
  writeFileSync(
    flasherArgs,
    JSON.stringify({
      flash_settings: { flash_mode: "dio", flash_freq: "80m", flash_size: "4MB" },
      flash_files: { "0x0": "bootloader.bin", "0x8000": "partition-table.bin", "0x10000": "app.bin" },
      extra_esptool_args: extra,
    }),
  );
  return { dir, flasherArgs, app: build.bytes.app };
}

/** Flashes a fresh virtual chip; returns the exit code, output, the chip's mode afterwards and its flash. */
async function flashOnce(flasherArgs: string, dir: string, extraArgs: string[] = [], env: Record<string, string> = {}) {
  const ports = recordPorts();
  const result = await runCli(["flash", "-p", "sim:esp32c3?flash=4MB&seed=5", "--flasher-args", flasherArgs, "--no-cache", ...extraArgs], { env: cliEnv(dir, env), openPort: ports.openPort });
  const chip = ports.chips[0];
  return { ...result, mode: chip?.mode, flash: chip?.flash.bytes };
}

describe("flasher_args.json extra_esptool_args", () => {
  it("after: no_reset leaves the chip in the loader; without it the chip is reset into its app", async () => {
    const plain = buildWithFlasherArgs({ before: "default_reset", chip: "esp32c3", stub: true });
    const reset = await flashOnce(plain.flasherArgs, plain.dir);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.mode).toBe("app");
    expect(Buffer.from(reset.flash!.subarray(0x10000, 0x10000 + plain.app.length))).toEqual(Buffer.from(plain.app));

    const noReset = buildWithFlasherArgs({ before: "default_reset", after: "no_reset", chip: "esp32c3", stub: true });
    const kept = await flashOnce(noReset.flasherArgs, noReset.dir);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.mode).toBe("stub"); // left in the flasher stub it was talking to
    // The flash was written all the same.
    expect(Buffer.from(kept.flash!.subarray(0x10000, 0x10000 + noReset.app.length))).toEqual(Buffer.from(noReset.app));
  });

  it("stub: false talks to the ROM loader only, unless --stub on the command line asks for the stub", async () => {
    const { dir, flasherArgs, app } = buildWithFlasherArgs({ after: "no_reset", chip: "esp32c3", stub: false });
    const rom = await flashOnce(flasherArgs, dir);
    expect(rom.code, rom.stderr).toBe(0);
    expect(rom.mode).toBe("rom");
    expect(Buffer.from(rom.flash!.subarray(0x10000, 0x10000 + app.length))).toEqual(Buffer.from(app));

    const stub = await flashOnce(flasherArgs, dir, ["--stub"]);
    expect(stub.code, stub.stderr).toBe(0);
    expect(stub.mode).toBe("stub");
  });

  it("--after on the command line and ESPSYNC_AFTER win over the file; the command line wins over the environment", async () => {
    const { dir, flasherArgs } = buildWithFlasherArgs({ after: "no_reset", chip: "esp32c3" });
    const cli = await flashOnce(flasherArgs, dir, ["--after", "hard-reset"]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.mode).toBe("app");

    const env = await flashOnce(flasherArgs, dir, [], { ESPSYNC_AFTER: "hard_reset" });
    expect(env.code, env.stderr).toBe(0);
    expect(env.mode).toBe("app");

    const both = await flashOnce(flasherArgs, dir, ["--after", "no-reset"], { ESPSYNC_AFTER: "hard_reset" });
    expect(both.code, both.stderr).toBe(0);
    expect(both.mode).toBe("stub");
  });

  it("refuses a reset mode in the file it does not know, before opening a port, unless the command line overrides it", async () => {
    const { dir, flasherArgs } = buildWithFlasherArgs({ after: "explode" });
    const bad = await flashOnce(flasherArgs, dir);
    expect(bad.code).toBe(2);
    const { first, hint } = errorLines(bad.stderr);
    expect(first).toMatch(/^error\[FLASHER_ARGS_INVALID\]: .*extra_esptool_args\.after "explode"/);
    expect(hint).toMatch(/--after/);
    expect(bad.mode).toBeUndefined();

    const overridden = await flashOnce(flasherArgs, dir, ["--after", "hard-reset"]);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(overridden.mode).toBe("app");
  });
});

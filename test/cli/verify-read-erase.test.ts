/**
 * `verify`, `read`, `erase` and `erase-region` against a file-backed virtual chip: verify names
 * exactly the sectors changed behind its back and exits 4; read returns the exact bytes; the
 * erases clear exactly what they name. Expected values come from the flash file, read directly.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";
import { cliEnv, flashChangingCommands, flashFile, recordPorts, simUrl, tempDir, writeBuild } from "./sim-rig.js";

async function flashedBoard(): Promise<{ dir: string; file: string; env: Record<string, string>; build: ReturnType<typeof writeBuild> }> {
  const dir = tempDir();
  const build = writeBuild(dir);
  const file = path.join(dir, "flash.bin");
  const env = cliEnv(dir);
  const result = await runCli(["flash", "--port", simUrl(file), ...build.pairs], { env });
  expect(result.code, result.stderr).toBe(0);
  return { dir, file, env, build };
}

describe("espsync verify", () => {
  it("exits 0 when the flash holds the images, writing nothing", async () => {
    const { file, env, build } = await flashedBoard();
    const ports = recordPorts();
    const result = await runCli(["verify", "--port", simUrl(file), ...build.pairs], { env, openPort: ports.openPort });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/app\.bin at 0x00010000: matches/);
    expect(flashChangingCommands(ports.chips[0]!)).toBe(0);
  });

  it("exits 4 and lists exactly the sectors changed behind its back", async () => {
    const { file, env, build } = await flashedBoard();
    const flash = readFileSync(file);
    for (const [at, mask] of [[0x12000 + 7, 0xff], [0x14000 + 9, 0xff], [0x8000 + 1, 0x01]] as const) flash[at] = (flash[at] ?? 0) ^ mask;
    writeFileSync(file, flash);
    const ports = recordPorts();
    const result = await runCli(["verify", "--port", simUrl(file), ...build.pairs, "--json"], { env, openPort: ports.openPort });
    expect(result.code).toBe(4);
    const doc = JSON.parse(result.stdout) as { ok: boolean; boards: { result: { ok: boolean; regions: { addr: number; match: boolean; differingSectorAddrs: number[] }[] }; error: { code: string } }[] };
    expect(doc.ok).toBe(false);
    expect(doc.boards[0]!.error.code).toBe("VERIFY_MISMATCH");
    expect(doc.boards[0]!.result.regions.map((r) => [r.addr, r.match, r.differingSectorAddrs])).toEqual([
      [0x0, true, []],
      [0x8000, false, [0x8000]],
      [0x10000, false, [0x12000, 0x14000]],
    ]);
    expect(result.stderr).toMatch(/app\.bin at 0x00010000: differs in 2 of \d+ sectors: 0x00012000, 0x00014000/);
    expect(result.stderr).toMatch(/^error\[VERIFY_MISMATCH\]: .+\nhint: .+/m);
    expect(flashChangingCommands(ports.chips[0]!)).toBe(0);
  });
});

describe("espsync read / erase / erase-region", () => {
  it("read writes the exact bytes of the range into the file", async () => {
    const { dir, file, env } = await flashedBoard();
    const out = path.join(dir, "readback.bin");
    const result = await runCli(["read", "--port", simUrl(file), "0xf000", "0x3000", out], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(out)).toEqual(flashFile(file).subarray(0xf000, 0x12000));
    expect(result.stdout).toContain("Read 12.0 KiB from 0x0000f000");
  });

  it("erase-region erases exactly the named sectors and nothing around them", async () => {
    const { file, env } = await flashedBoard();
    const before = flashFile(file);
    const ports = recordPorts();
    const result = await runCli(["erase-region", "--port", simUrl(file), "0x11000", "8K"], { env, openPort: ports.openPort });
    expect(result.code, result.stderr).toBe(0);
    const after = flashFile(file);
    expect(after.subarray(0x11000, 0x13000).every((b) => b === 0xff)).toBe(true);
    expect(after.subarray(0, 0x11000).equals(before.subarray(0, 0x11000))).toBe(true);
    // (Buffer.equals: a deep toEqual over 4 MiB is needlessly slow.)
    expect(after.subarray(0x13000).equals(before.subarray(0x13000))).toBe(true);
    expect(before.subarray(0x11000, 0x13000).every((b) => b === 0xff)).toBe(false);
    // And flash afterwards rewrites exactly those two sectors even with the digest cache present.
    const again = recordPorts();
    const build = writeBuild(path.dirname(file));
    const reflash = await runCli(["flash", "--port", simUrl(file), ...build.pairs], { env, openPort: again.openPort });
    expect(reflash.code, reflash.stderr).toBe(0);
    expect(again.chips[0]!.flash.counters.bytesProgrammed).toBe(0x2000);
    expect(flashFile(file).equals(before)).toBe(true);
  });

  it("erase clears the whole chip", async () => {
    const { file, env } = await flashedBoard();
    const ports = recordPorts();
    const result = await runCli(["erase", "--port", simUrl(file)], { env, openPort: ports.openPort });
    expect(result.code, result.stderr).toBe(0);
    expect(ports.chips[0]!.flash.counters.commands.ERASE_FLASH).toBe(1);
    expect(flashFile(file).every((b) => b === 0xff)).toBe(true);
  });
});

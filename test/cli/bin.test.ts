/**
 * The real binary (`node dist/src/bin.js`, built by the test command): the demo build flashed twice
 * (the second time writing nothing, per the JSON totals and the unchanged flash file), exit codes
 * seen by a shell, plain output without escape codes, and Ctrl-C (SIGINT) ending the console cleanly.
 */
/* eslint-disable no-control-regex -- these tests look for terminal escape codes on purpose */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tempDir } from "./sim-rig.js";

const BIN = path.join(ROOT, "dist/src/bin.js");
const DEMO = path.join(ROOT, "fixtures/demo/flasher_args.json");

function espsync(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 20_000, env: { PATH: process.env.PATH ?? "", ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!existsSync(BIN))("espsync binary (skipped until `npm run build` has produced dist/)", () => {
  it("flashes the demo build, then writes nothing the second time", () => {
    const dir = tempDir();
    const file = path.join(dir, "flash.bin");
    const env = { ESPSYNC_CACHE_DIR: path.join(dir, "cache") };
    const port = `sim:esp32c3?flash=4MB&seed=3&file=${file}`;
    const first = espsync(["flash", "--port", port, "--flasher-args", DEMO], env);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout + first.stderr).not.toMatch(/\x1b\[/);
    const app = readFileSync(path.join(ROOT, "fixtures/demo/espsync-demo.bin"));
    const afterFirst = readFileSync(file);
    expect(afterFirst.subarray(0x10000, 0x10000 + app.length).equals(app)).toBe(true);

    const second = espsync(["flash", "--port", port, "--flasher-args", DEMO, "--json"], env);
    expect(second.status, second.stderr).toBe(0);
    const doc = JSON.parse(second.stdout) as { ok: boolean; boards: { result: { totals: { writtenBytes: number }; regions: { outcome: string }[] } }[] };
    expect(doc.ok).toBe(true);
    expect(doc.boards[0]!.result.totals.writtenBytes).toBe(0);
    expect(doc.boards[0]!.result.regions.map((r) => r.outcome)).toEqual(["skip", "skip", "skip"]); // the three files of flasher_args.json
    expect(readFileSync(file).equals(afterFirst)).toBe(true);
  });

  it("exits 2 on bad usage and 4 on a verify mismatch, as a shell sees it", () => {
    const bad = espsync(["erase-region", "--port", "sim:esp32c3", "0x1001", "0x1000"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error\[ADDRESS_UNALIGNED\]: .+\nhint: .+\n$/);
    const mismatch = espsync(["verify", "--port", "sim:esp32c3?seed=9", "--flasher-args", DEMO]);
    expect(mismatch.status).toBe(4);
    expect(mismatch.stderr).toMatch(/^error\[VERIFY_MISMATCH\]/m);
  });

  it("stops the console on SIGINT with exit 0", async () => {
    const dir = tempDir();
    const file = path.join(dir, "flash.bin");
    const port = `sim:esp32c3?flash=4MB&seed=3&file=${file}`;
    expect(espsync(["flash", "--port", port, "--flasher-args", DEMO], { ESPSYNC_CACHE_DIR: path.join(dir, "cache") }).status).toBe(0);
    const child = spawn(process.execPath, [BIN, "monitor", "--port", port], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let interrupted = false;
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`monitor never printed the app: ${out}`));
      }, 15_000);
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        // One Ctrl-C only: a second one means "quit now" (exit 130), not "stop the console".
        if (!interrupted && /Project name: +espsync-demo/.test(out)) {
          interrupted = true;
          child.kill("SIGINT");
        }
      });
      child.on("exit", (status) => {
        clearTimeout(timer);
        resolve(status);
      });
    });
    expect(code).toBe(0);
  });
});

/**
 * A `sim:` URL's relative `file=` (and `espsync sim --flash-file`) is a path like any other on the
 * command line: relative to the CLI's working directory — which a program embedding the CLI sets
 * without changing the process's — and its missing folders are created, so the README's
 * `file=sim-flash/board.bin` works on a fresh checkout.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { memorySink } from "../../src/cli/io.js";
import { run } from "../../src/cli/run.js";
import { runCli } from "./helpers.js";
import { tempDir } from "./sim-rig.js";

describe("relative flash files of virtual chips", () => {
  it("`-p sim:…?file=sub/board.bin` creates sub/board.bin in the CLI's working directory", async () => {
    const dir = tempDir();
    const relative = `sub-${path.basename(dir)}/board.bin`;
    const result = await runCli(["info", "-p", `sim:esp32c3?flash=2MB&file=${relative}`], { cwd: dir, env: { ESPSYNC_CACHE_DIR: path.join(dir, "cache") } });
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(path.join(dir, relative)).size).toBe(2 * 1024 * 1024);
    expect(existsSync(path.resolve(relative))).toBe(false);
  });

  it("`espsync sim --flash-file sub/served.bin` creates it in the CLI's working directory", async () => {
    const dir = tempDir();
    const relative = `sub-${path.basename(dir)}/served.bin`;
    const stdout = memorySink();
    const controller = new AbortController();
    const done = run(["sim", "--chip", "esp32c3", "--listen", "127.0.0.1:0", "--flash-file", relative], { stdout, stderr: memorySink(), env: {}, cwd: dir, signal: controller.signal });
    for (let waited = 0; !/serving on/.test(stdout.text()) && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    expect(await done).toBe(0);
    expect(statSync(path.join(dir, relative)).size).toBe(4 * 1024 * 1024);
    expect(existsSync(path.resolve(relative))).toBe(false);
  });
});

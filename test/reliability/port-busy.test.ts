/**
 * Two espsync processes on one serial port: a real pseudo-terminal served by `espsync sim --pty`,
 * one process holding it (`espsync monitor`), a second one trying to flash through it. The second is
 * refused with PORT_BUSY before it sends anything; once the first lets go, the same flash succeeds.
 * Needs the built binary (dist/) and a POSIX pty; the test starts and stops every process itself.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "dist/src/bin.js");
const APP = path.join(ROOT, "fixtures/demo/espsync-demo.bin");
const started: ChildProcessWithoutNullStreams[] = [];

afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const closed = new Promise((resolve) => child.once("close", resolve));
    child.kill("SIGTERM");
    await closed;
  }
});

/** Starts `espsync <args>` and resolves once its stdout matches `ready` (with the match). */
function startUntil(args: string[], ready: RegExp): Promise<RegExpMatchArray> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
  started.push(child);
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8");
    child.stderr.resume();
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
      const m = ready.exec(out);
      if (m) resolve(m);
    });
    child.once("close", (code) => reject(new Error(`espsync ${args[0]} exited (${code}) before it was ready: ${out}`)));
  });
}

/** Runs `espsync <args>` to the end. */
function runToEnd(args: string[]): Promise<{ exit: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once("close", (exit) => resolve({ exit, stdout, stderr })));
}

describe.skipIf(!existsSync(BIN) || process.platform === "win32")("two espsync processes on one port (needs `npm run build`)", () => {
  it("the second is refused with PORT_BUSY and a hint; after the first exits, the same flash works", async () => {
    const [, pty] = await startUntil(["sim", "--pty", "--chip", "esp32c3"], /serving on (\/dev\/\S+)/);
    const ptyPath = pty as string;
    await startUntil(["monitor", "--port", ptyPath, "--no-reset"], /--- console on/);
    const flashArgs = ["flash", "0x10000", APP, "--port", ptyPath, "--no-cache", "--connect-attempts", "2"];

    const busy = await runToEnd(flashArgs);
    expect(busy.exit, busy.stderr).toBe(3);
    expect(busy.stderr.match(/^error\[.*$/gm)).toEqual([`error[PORT_BUSY]: serial port ${ptyPath} is in use by another program`]);
    expect(busy.stderr).toMatch(/^hint: Close the other program .* and try again\.$/m);

    // The monitor lets go (Ctrl-C); the same command now flashes.
    const monitor = started[1] as ChildProcessWithoutNullStreams;
    const closed = new Promise((resolve) => monitor.once("close", resolve));
    monitor.kill("SIGINT");
    await closed;
    const ok = await runToEnd(flashArgs);
    expect(ok.exit, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/espsync-demo\.bin at 0x00010000: .*verified/);
  }, 30_000);
});

/**
 * Runs the real `espsync sim` binary for end-to-end tests: started and stopped by the test itself,
 * on ephemeral ports, with its flash in a temporary file the test can read afterwards.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The built binary (the test command builds dist before running the tests). */
export const BIN = new URL("../../dist/src/bin.js", import.meta.url).pathname;

/** A running `espsync sim`. */
export interface SimProcess {
  /** The addresses it printed: `socket://…`, `rfc2217://…`, `/dev/pts/N`. */
  readonly addresses: readonly string[];
  /** Stops it with SIGTERM (it flushes its flash file) and returns the flash contents. */
  stop(): Promise<Uint8Array>;
}

/**
 * Starts `espsync sim <args> --flash-file <file>` and waits until it has printed `expected` addresses.
 * `flashFile` defaults to a new temporary file; pass one to keep the flash across restarts.
 */
export function startSimProcess(args: readonly string[], expected: number, flashFile = join(mkdtempSync(join(tmpdir(), "espsync-e2e-")), "flash.bin")): Promise<SimProcess> {
  const child: ChildProcess = spawn(process.execPath, [BIN, "sim", ...args, "--flash-file", flashFile], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const stop = async (): Promise<Uint8Array> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(kill);
    return readFileSync(flashFile);
  };
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`espsync sim did not start: ${out}`));
    }, 10_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const addresses = [...out.matchAll(/serving on (\S+)/g)].map((m) => m[1] ?? "");
      if (addresses.length >= expected) {
        clearTimeout(timer);
        resolve({ addresses, stop });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`espsync sim exited with ${code}: ${out}`));
    });
  });
}

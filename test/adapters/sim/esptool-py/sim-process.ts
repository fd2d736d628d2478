/**
 * Starts the built `espsync sim` binary on an ephemeral TCP port, the way a user runs it for
 * esptool.py, and stops it with SIGTERM (which flushes `--flash-file`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The built CLI entry point. */
export const SIM_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../dist/src/bin.js");

/** True when `npm run build` has produced the binary. */
export const SIM_BIN_BUILT = existsSync(SIM_BIN);

/** A running simulator process. */
export interface SimProcess {
  readonly host: string;
  readonly port: number;
  /** SIGTERM, then wait for exit (up to 5 s, then SIGKILL). */
  stop(): Promise<void>;
}

/** Spawns `espsync sim --chip CHIP --listen 127.0.0.1:0 …extra` and waits for its address line. */
export function startSim(chip: string, extra: string[] = [], timeoutMs = 10_000): Promise<SimProcess> {
  const child: ChildProcess = spawn(process.execPath, [SIM_BIN, "sim", "--chip", chip, "--listen", "127.0.0.1:0", ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`espsync sim did not print its address within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /serving on socket:\/\/([\d.]+):(\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ host: m[1] as string, port: Number(m[2]), stop });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`espsync sim exited (${code}) before serving; stderr: ${stderr}`));
    });
  });
}

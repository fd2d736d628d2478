/**
 * Runs the real espsync binary (dist/src/bin.js) as a child process, the way a user or a CI job
 * does, with a hard timeout so that no test can hang on it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { BIN } from "./qemu-env.js";

/** How one espsync process ended. */
export interface EspsyncExit {
  /** Exit code, or null when a signal ended it. */
  readonly exit: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the timeout killed it. */
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/** A started espsync process. */
export interface EspsyncChild {
  readonly child: ChildProcess;
  /** Settles when the process has exited (never rejects). */
  readonly done: Promise<EspsyncExit>;
}

/** Options for {@link startEspsync}. */
export interface EspsyncOptions {
  readonly timeoutMs: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /**
   * Another node entry to run instead of the espsync CLI, with the same arguments: a program built
   * on espsync's library (the QEMU benchmark's strategies that the CLI does not offer).
   */
  readonly script?: string;
}

/** Starts `node dist/src/bin.js <args>` (or `node <script> <args>`); SIGKILLs it after `timeoutMs`. */
export function startEspsync(args: readonly string[], options: EspsyncOptions): EspsyncChild {
  const started = Date.now();
  const child = spawn(process.execPath, [options.script ?? BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let timedOut = false;
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutMs);
  const done = new Promise<EspsyncExit>((resolve) => {
    child.once("close", (exit, signal) => {
      clearTimeout(timer);
      resolve({ exit, signal, stdout, stderr, timedOut, durationMs: Date.now() - started });
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ exit: null, signal: null, stdout, stderr: `${stderr}${String(error)}`, timedOut, durationMs: Date.now() - started });
    });
  });
  return { child, done };
}

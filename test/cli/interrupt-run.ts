/**
 * Runs the built CLI (dist/) as a child process and interrupts it as Ctrl-C would: SIGINT once its
 * output (stdout and stderr together) matches `at`, and with `twice` a second SIGINT once the first
 * notice ("Stopping after what is in flight") is out. A run that outlives `timeoutMs` is killed, so
 * a command that ignores the signal fails its test instead of hanging it.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { ROOT } from "./sim-rig.js";

/** The built binary. */
export const BIN = path.join(ROOT, "dist/src/bin.js");

/** What an interrupted run left. */
export interface InterruptedRun {
  readonly exit: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether SIGINT was sent (once or twice) before the process ended by itself. */
  readonly signalsSent: number;
}

/** Options of {@link interruptRun}. */
export interface InterruptOptions {
  readonly cwd: string;
  /** Output that marks the moment for the first SIGINT. */
  readonly at: RegExp;
  /** Send a second SIGINT once the first notice is out. */
  readonly twice: boolean;
  /** Kill (SIGKILL) after this long; default 15 s. */
  readonly timeoutMs?: number;
}

/** Runs `espsync <args>` and interrupts it as {@link InterruptOptions} say. */
export function interruptRun(args: readonly string[], options: InterruptOptions): Promise<InterruptedRun> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let sent = 0;
  const check = (): void => {
    const all = `${stdout}\n${stderr}`;
    if (sent === 0 && options.at.test(all)) {
      sent = 1;
      child.kill("SIGINT");
    } else if (sent === 1 && options.twice && /^Stopping after what is in flight/m.test(stderr)) {
      sent = 2;
      child.kill("SIGINT");
    }
  };
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
    check();
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 15_000);
  return new Promise((resolve) =>
    child.on("close", (exit) => {
      clearTimeout(timer);
      resolve({ exit, stdout, stderr, signalsSent: sent });
    }),
  );
}

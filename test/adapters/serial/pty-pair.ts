/**
 * A real pseudo-terminal pair made by socat (`socat pty pty`), for tests of the real serialport
 * binding. The test starts and stops the process itself.
 */
import { spawn, spawnSync } from "node:child_process";

/** True when the socat binary is on the PATH. */
export const hasSocat = spawnSync("socat", ["-V"], { stdio: "ignore" }).status === 0;

/** Two connected terminals: bytes written to one are read from the other. */
export interface PtyPair {
  readonly a: string;
  readonly b: string;
  /** socat's process id (killing it unplugs both ends). */
  readonly pid: number;
  close(): Promise<void>;
}

/** Starts `socat pty,raw,echo=0 pty,raw,echo=0` and resolves with the two /dev/pts paths. */
export function openPtyPair(timeoutMs = 5_000): Promise<PtyPair> {
  const child = spawn("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], { stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`socat made no pty pair within ${timeoutMs} ms: ${text}`));
    }, timeoutMs);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      text += chunk;
      const paths = [...text.matchAll(/PTY is (\S+)/g)].map((m) => m[1] ?? "");
      // Data flows once socat says so; both ptys are listed before that line.
      if (paths.length === 2 && /starting data transfer loop/.test(text)) {
        clearTimeout(timer);
        child.stderr.removeAllListeners("data");
        child.stderr.resume();
        resolve({ a: paths[0] ?? "", b: paths[1] ?? "", pid: child.pid ?? 0, close });
      }
    });
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

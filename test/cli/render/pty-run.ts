/**
 * Runs a command on a real pseudo-terminal of a given size through util-linux `script`, which
 * starts it on a fresh pty and copies everything it writes there to its own stdout. The shell line
 * first prints the pty's path (so a test can resize it with `stty -F` while the command runs), then
 * sets the size, then execs the command, so the command itself is the pty's foreground process: it
 * receives SIGWINCH on a resize, and SIGINT when Ctrl-C is typed.
 */
import { spawn, spawnSync } from "node:child_process";

/** Whether util-linux `script` is installed (Debian's util-linux, the CI image). */
export const HAS_SCRIPT = spawnSync("script", ["--version"], { encoding: "utf8" }).stdout?.includes("util-linux") === true;

/** What ran on the pty. */
export interface PtyRun {
  readonly exit: number | null;
  /** Everything written to the pty after the size was set, CR LF as the pty sends it. */
  readonly output: string;
}

/** Options of {@link runInPty}. */
export interface PtyOptions {
  readonly columns: number;
  readonly rows?: number;
  readonly cwd: string;
  readonly env?: Record<string, string>;
  /**
   * Called with the pty's path and the output so far, after each chunk; `type` sends keys to the
   * terminal as a user types them (`\x03` is Ctrl-C: the pty's line discipline turns it into SIGINT).
   */
  readonly onOutput?: (pty: string, output: string, type: (keys: string) => void) => void;
  /**
   * Extra `stty` settings. `-echoctl` stops the terminal echoing `^C`: the echo is inserted wherever
   * the keystroke lands in the output — even in the middle of a line being written — so a line near
   * the full width can wrap by the echo alone, which says nothing about what espsync drew.
   */
  readonly stty?: string;
}

/** POSIX shell quoting. */
function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Runs `argv` on a pty of `columns` × `rows` and collects its output. */
export function runInPty(argv: readonly string[], options: PtyOptions): Promise<PtyRun> {
  const line = `tty; stty cols ${options.columns} rows ${options.rows ?? 24} ${options.stty ?? ""}; exec ${argv.map(quote).join(" ")}`;
  const child = spawn("script", ["-qfec", line, "/dev/null"], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const type = (keys: string): void => void child.stdin.write(keys);
  let raw = "";
  let pty = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    raw += chunk;
    const newline = raw.indexOf("\n");
    if (pty === "" && newline >= 0) pty = raw.slice(0, newline).trim();
    if (pty !== "") options.onOutput?.(pty, raw.slice(raw.indexOf("\n") + 1), type);
  });
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exit) => {
      child.stdin.destroy();
      resolve({ exit, output: raw.slice(raw.indexOf("\n") + 1) });
    });
  });
}

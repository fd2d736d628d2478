/**
 * Runs the real CLI in process (`run(argv, io)`) with its `openPort` hook attaching `sim:` URLs to a
 * virtual chip the test keeps, so the chip's counters show what reached the flash. Parses the one
 * `error[CODE]: message` line and its `hint:` line.
 */
import { openPort } from "../../adapters/index.js";
import { createVirtualChip, openSimPort, parseSimUrl, type VirtualChip } from "../../adapters/sim/index.js";
import { memorySink } from "../../src/cli/io.js";
import { run } from "../../src/cli/run.js";

/** What one CLI run produced. */
export interface CliRun {
  readonly exit: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The virtual chip a `sim:` port was attached to, if one was opened. */
  readonly chip: VirtualChip | undefined;
  /** `error[CODE]: …` lines. */
  readonly errors: { code: string; message: string }[];
  /** `hint: …` lines. */
  readonly hints: string[];
}

/** Runs `espsync <argv>` in `cwd`. `chip` is reused for `sim:` ports when given. */
export async function runEspsync(argv: string[], options: { cwd: string; chip?: VirtualChip; signal?: AbortSignal; env?: Record<string, string> }): Promise<CliRun> {
  const stdout = memorySink(false);
  const stderr = memorySink(false);
  let chip = options.chip;
  const exit = await run(argv, {
    stdout,
    stderr,
    env: { XDG_CACHE_HOME: `${options.cwd}/.cache`, ...options.env },
    cwd: options.cwd,
    signal: options.signal ?? new AbortController().signal,
    openPort: (url, portOptions) => {
      if (!url.startsWith("sim:")) return openPort(url, portOptions);
      chip ??= createVirtualChip(parseSimUrl(url));
      return openSimPort(url, chip);
    },
  });
  const err = stderr.text();
  return {
    exit,
    stdout: stdout.text(),
    stderr: err,
    chip,
    errors: [...err.matchAll(/^error\[([A-Z_]+)\]: (.*)$/gm)].map((m) => ({ code: m[1] ?? "", message: m[2] ?? "" })),
    hints: [...err.matchAll(/^hint: (.*)$/gm)].map((m) => m[1] ?? ""),
  };
}

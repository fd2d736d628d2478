/**
 * The shape of one CLI command. Each command lives in its own file under `commands/` and is plain
 * data plus a `run` function, so `run.ts` can register them all the same way and tests can call any
 * command through the real argument parser.
 */
import type { Argv } from "yargs";
import type { GlobalOptions } from "./global-options.js";
import type { CliIo } from "./io.js";

/** What a command's `run` receives. */
export interface CommandContext {
  readonly io: CliIo;
  readonly globals: GlobalOptions;
  /** Human output: stdout normally, stderr when `--json` owns stdout. Suppressed by `--quiet`. */
  readonly say: (line: string) => void;
  /** Warnings: always stderr, even with `--quiet`. */
  readonly warn: (line: string) => void;
  /** Verbose detail: only with `--verbose`. */
  readonly detail: (line: string) => void;
  /** Prints the single JSON document (only call once, only with `--json`). */
  readonly emitJson: (value: unknown) => void;
}

/** One command. */
export interface CommandSpec {
  /** yargs command string, e.g. `read <addr> <size> <file>`. */
  readonly command: string;
  readonly aliases?: readonly string[];
  readonly describe: string;
  /** `[example, description]` pairs shown by `--help`. */
  readonly examples: readonly (readonly [string, string])[];
  /** Adds the command's own options and positionals. */
  readonly builder?: (yargs: Argv) => Argv;
  /** Does the work; returns the exit code. Throws EspsyncError on failure. */
  readonly run: (args: Record<string, unknown>, ctx: CommandContext) => Promise<number>;
}

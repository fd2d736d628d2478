/** Runs the real CLI in process with captured output. */
import { run } from "../../src/cli/run.js";
import { memorySink } from "../../src/cli/io.js";

/** What one CLI run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `espsync <argv>` in process. */
export async function runCli(
  argv: string[],
  options: { env?: Record<string, string>; signal?: AbortSignal; isTTY?: boolean; cwd?: string } = {},
): Promise<CliResult> {
  const stdout = memorySink(options.isTTY ?? false);
  const stderr = memorySink(options.isTTY ?? false);
  const code = await run(argv, {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Runs the real CLI in process with captured output. */
import type { OpenPortOptions, SerialPortListing } from "../../adapters/index.js";
import { run } from "../../src/cli/run.js";
import { memorySink } from "../../src/cli/io.js";
import type { Port } from "../../src/transport/port.js";

/** What one CLI run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  env?: Record<string, string>;
  signal?: AbortSignal;
  isTTY?: boolean;
  cwd?: string;
  openPort?: (url: string, options?: OpenPortOptions) => Port;
  listSerialPorts?: () => Promise<SerialPortListing[]>;
}

/** Runs `espsync <argv>` in process. */
export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const stdout = memorySink(options.isTTY ?? false);
  const stderr = memorySink(options.isTTY ?? false);
  const code = await run(argv, {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
    ...(options.openPort && { openPort: options.openPort }),
    ...(options.listSerialPorts && { listSerialPorts: options.listSerialPorts }),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

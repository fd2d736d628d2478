#!/usr/bin/env node
/** The `espsync` binary: the process-bound shell around {@link run}. */
import { run } from "./cli/run.js";

const controller = new AbortController();
let interrupts = 0;
const onSignal = (): void => {
  interrupts += 1;
  // The first Ctrl-C asks for a stop at the next block boundary; a second one quits at once.
  if (interrupts > 1) process.exit(130);
  controller.abort();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await run(process.argv.slice(2), {
  stdout: { write: (text) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true },
  stderr: { write: (text) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true },
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
process.exitCode = code;
// Let pending writes flush, then leave even if a handle (a socket, a timer) is still open.
setImmediate(() => process.exit(code));

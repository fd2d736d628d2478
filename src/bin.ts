#!/usr/bin/env node
/** The `espsync` binary: the process-bound shell around {@link run}. */
import type { TextSink } from "./cli/io.js";
import { run } from "./cli/run.js";

/** A process stream as a sink: on a terminal its width is read at each use and its resizes reported. */
function streamSink(stream: NodeJS.WriteStream): TextSink {
  const isTTY = stream.isTTY === true;
  return {
    write: (text) => void stream.write(text),
    isTTY,
    get columns(): number | undefined {
      return isTTY ? stream.columns : undefined;
    },
    ...(isTTY && {
      onResize: (listener: () => void) => {
        stream.on("resize", listener);
        return () => void stream.off("resize", listener);
      },
    }),
  };
}

const stop = new AbortController();
const quit = new AbortController();
const onSignal = (): void => {
  // The first Ctrl-C asks for a stop at the next safe point, and the command says at once where it
  // is; a second one quits now. Aborting `quit` runs its listeners synchronously — they say what
  // state the flash is left in — and writes to a terminal or pipe are synchronous, so nothing is lost.
  if (!stop.signal.aborted) {
    stop.abort();
    return;
  }
  quit.abort();
  process.exit(130);
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await run(process.argv.slice(2), {
  stdout: streamSink(process.stdout),
  stderr: streamSink(process.stderr),
  env: process.env,
  cwd: process.cwd(),
  signal: stop.signal,
  quitSignal: quit.signal,
});
process.exitCode = code;
// Let pending writes flush, then leave even if a handle (a socket, a timer) is still open.
setImmediate(() => process.exit(code));

/**
 * What Ctrl-C says, the moment it is pressed. The first asks for a stop at the next safe point,
 * which can be a whole data block away on a slow link: it says at once that espsync is stopping and
 * what is in flight on each board. The second quits without waiting: it says what state the flash
 * is left in (complete, partly written, not written yet) and how to finish — run the same command
 * again, which writes only what still differs.
 */
import type { CliIo } from "../io.js";

/** One board's answers (for a flash: its tracker, flash-tracker.ts). */
export interface InterruptReporter {
  /** What is in flight; undefined when there is nothing left to stop. */
  inFlight(): string | undefined;
  /** The flash region by region; undefined when there is nothing to report (finished). */
  flashState(): readonly string[] | undefined;
}

/** Board prefix and reporter. */
interface Entry {
  readonly prefix: string;
  readonly reporter: InterruptReporter;
}

/** The first Ctrl-C's notice, or undefined when no board has anything in flight. */
export function stopNotice(entries: readonly Entry[]): string | undefined {
  const lines = entries.flatMap(({ prefix, reporter }) => {
    const what = reporter.inFlight();
    return what === undefined ? [] : [`  ${prefix}${what}`];
  });
  if (lines.length === 0) return undefined;
  return ["Stopping after what is in flight (Ctrl-C again quits at once):", ...lines].join("\n");
}

/** The second Ctrl-C's notice, or undefined when no board has an unfinished flash. */
export function quitNotice(entries: readonly Entry[]): string | undefined {
  const lines = entries.flatMap(({ prefix, reporter }) => (reporter.flashState() ?? []).map((line) => `  ${prefix}${line}`));
  if (lines.length === 0) return undefined;
  return ["Quit at once (second Ctrl-C). State of the flash:", ...lines, "To finish, run the same command again: espsync writes only what still differs."].join("\n");
}

/** Listens to the io's stop and quit signals for one command run and prints the notices. */
export class InterruptNotices {
  private readonly entries: Entry[] = [];
  private readonly unlisten: (() => void)[] = [];

  /**
   * `print` writes a notice on stderr (above any progress block); `beforeQuit` runs first on a quit
   * (removing the progress block for good: the process exits right after).
   */
  constructor(io: CliIo, print: (text: string) => void, beforeQuit: () => void) {
    const listen = (signal: AbortSignal | undefined, notice: () => string | undefined, before?: () => void): void => {
      if (signal === undefined || signal.aborted) return;
      const onAbort = (): void => {
        const text = notice();
        if (text === undefined) return;
        before?.();
        print(text);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.unlisten.push(() => signal.removeEventListener("abort", onAbort));
    };
    listen(io.signal, () => stopNotice(this.entries));
    listen(io.quitSignal, () => quitNotice(this.entries), beforeQuit);
  }

  /** Adds a board's reporter; `prefix` names the board when several run. */
  add(prefix: string, reporter: InterruptReporter): void {
    this.entries.push({ prefix, reporter });
  }

  /** Stops listening (at the end of the command). */
  close(): void {
    for (const stop of this.unlisten.splice(0)) stop();
  }
}

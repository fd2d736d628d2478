/**
 * What Ctrl-C says, the moment it is pressed, for every command that talks to a board. The first
 * asks for a stop at the next safe point, which can be a whole data block (or a connect attempt, an
 * erase step) away on a slow link: it says at once that espsync is stopping and what is in flight on
 * each board. The second quits without waiting: it says what state the flash is left in (for a
 * flash: complete, partly written, not written yet; for an erase: erased, partly erased; unchanged
 * for what only reads) and how to finish.
 */
import type { CliIo } from "../io.js";

/** A flash's way to finish: run it again, it writes only what still differs. */
export const FINISH_FLASH = "To finish, run the same command again: espsync writes only what still differs.";

/**
 * One board's answers: for a flash its tracker (flash-tracker.ts), for any board command what it is
 * doing, from connecting on (board-activity.ts).
 */
export interface InterruptReporter {
  /** What is in flight; undefined when there is nothing left to stop. */
  inFlight(): string | undefined;
  /** The flash region by region; undefined when there is nothing to report (finished). */
  flashState(): readonly string[] | undefined;
  /** How to finish after a quit, one sentence (default {@link FINISH_FLASH}). */
  readonly finish?: string;
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

/**
 * The second Ctrl-C's notice, or undefined when no board has work left unfinished. Boards that
 * finish the same way share one closing sentence.
 */
export function quitNotice(entries: readonly Entry[]): string | undefined {
  const reporting = entries.flatMap(({ prefix, reporter }) => {
    const state = reporter.flashState();
    return state === undefined ? [] : [{ lines: state.map((line) => `  ${prefix}${line}`), finish: reporter.finish ?? FINISH_FLASH }];
  });
  if (reporting.length === 0) return undefined;
  const finishes = [...new Set(reporting.map((r) => r.finish))];
  return ["Quit at once (second Ctrl-C). State of the flash:", ...reporting.flatMap((r) => r.lines), ...finishes].join("\n");
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

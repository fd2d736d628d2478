/**
 * What one board is doing, from the moment its port is opened, so that Ctrl-C is answered at once
 * by every board command, not only by a flash: while connecting it names the port and the attempt;
 * then the command's own reporter answers (a flash's tracker, a read's position, an erase's step).
 * Once the work is done there is nothing to stop and nothing to report.
 */
import type { InterruptReporter } from "./render/interrupt-notices.js";

/** How to finish when the flash was left as it was. */
export const NOTHING_TO_FINISH = "Nothing to finish: the flash is unchanged.";

type Phase =
  | { readonly kind: "connecting"; readonly url: string; readonly attempt?: { readonly n: number; readonly of: number } }
  | { readonly kind: "working"; readonly reporter: InterruptReporter }
  | { readonly kind: "done" };

/** One board's phase, answering Ctrl-C for it (registered with the command's Output). */
export class BoardActivity implements InterruptReporter {
  private phase: Phase;

  constructor(url: string) {
    this.phase = { kind: "connecting", url };
  }

  /** The connect started attempt `n` of `of` (reset and sync). */
  attempt(n: number, of: number): void {
    if (this.phase.kind === "connecting") this.phase = { ...this.phase, attempt: { n, of } };
  }

  /** The chip answered: from now on `reporter` says what the command is doing. */
  working(reporter: InterruptReporter): void {
    this.phase = { kind: "working", reporter };
  }

  /** The board's work is over (done or failed): nothing is in flight any more. */
  done(): void {
    this.phase = { kind: "done" };
  }

  inFlight(): string | undefined {
    switch (this.phase.kind) {
      case "connecting": {
        const attempt = this.phase.attempt === undefined ? "" : ` (attempt ${this.phase.attempt.n} of ${this.phase.attempt.of})`;
        return `connecting to ${this.phase.url}${attempt}`;
      }
      case "working":
        return this.phase.reporter.inFlight();
      case "done":
        return undefined;
    }
  }

  flashState(): readonly string[] | undefined {
    switch (this.phase.kind) {
      case "connecting":
        return ["unchanged: espsync was still connecting and sent nothing to the flash"];
      case "working":
        return this.phase.reporter.flashState();
      case "done":
        return undefined;
    }
  }

  get finish(): string | undefined {
    if (this.phase.kind === "working") return this.phase.reporter.finish;
    return NOTHING_TO_FINISH;
  }
}

/**
 * The reporter of work that changes nothing on the flash (a digest comparison, reading the chip's
 * description, the console): `doing` is what is in flight at the moment of asking.
 */
export function readOnlyWork(doing: () => string, state = "unchanged: nothing is written to it"): InterruptReporter {
  return { inFlight: doing, flashState: () => [state], finish: NOTHING_TO_FINISH };
}

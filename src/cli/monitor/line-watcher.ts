/**
 * Turns the chip's console bytes into lines and watches them for the smoke-test outcome: the
 * expected pattern, or a crash. Pure, so the decisions are tested without a chip.
 */

/** Lines that mean the firmware crashed (ESP-IDF panic handler, abort(), ESP8266-style exceptions). */
export const PANIC_PATTERNS: readonly RegExp[] = [
  /Guru Meditation Error/,
  /abort\(\) was called at PC/,
  /Fatal exception \(\d+\)/,
  /\*\*\*ERROR\*\*\* A stack overflow in task/,
];

/** What one line meant. */
export type LineVerdict = { kind: "line" } | { kind: "match"; match: RegExpExecArray } | { kind: "panic"; pattern: RegExp };

/** Splits a byte stream into console lines and classifies each. */
export class LineWatcher {
  private pending = "";
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });

  constructor(private readonly expect?: RegExp) {}

  /** Feeds a chunk; returns the complete lines it finished, with their verdicts. */
  push(chunk: Uint8Array): { line: string; verdict: LineVerdict }[] {
    this.pending += this.decoder.decode(chunk, { stream: true });
    const parts = this.pending.split("\n");
    this.pending = parts.pop() ?? "";
    return parts.map((raw) => {
      const line = raw.replace(/\r$/, "");
      return { line, verdict: this.classify(line) };
    });
  }

  /** Classifies the unterminated tail, so a prompt without a newline can still match. */
  peekPartial(): { line: string; verdict: LineVerdict } | undefined {
    if (this.pending === "") return undefined;
    const verdict = this.classify(this.pending);
    return verdict.kind === "line" ? undefined : { line: this.pending, verdict };
  }

  private classify(line: string): LineVerdict {
    for (const pattern of PANIC_PATTERNS) if (pattern.test(line)) return { kind: "panic", pattern };
    if (this.expect) {
      const match = this.expect.exec(line);
      if (match) return { kind: "match", match };
    }
    return { kind: "line" };
  }
}

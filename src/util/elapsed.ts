/**
 * Durations as results report them: whole milliseconds, the same unit and type in every command's
 * `--json` (the monotonic clock's fractions are noise at this scale).
 */

/** Whole milliseconds since `startedMs`, a `performance.now()` reading. */
export function elapsedMs(startedMs: number): number {
  return Math.round(performance.now() - startedMs);
}

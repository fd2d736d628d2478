/**
 * Long erases from the CLI go in steps, so that the first Ctrl-C stops them at a step's end — a
 * clean point where the chip has answered and the next command can follow — instead of waiting for
 * the whole range, and so that Ctrl-C can say how far they got. (Reads stop between parts inside
 * the protocol layer: `Device.read`'s `shouldStop`, with one digest for the whole range.)
 */


/** One step: `[addr, end)`. */
export interface Step {
  readonly addr: number;
  readonly end: number;
}

/**
 * `[addr, addr + sizeBytes)` cut at multiples of `stepBytes` (a multiple of 64 KiB, so erase steps
 * stay whole blocks; util/part-size.ts sizes it for the link).
 */
export function steps(addr: number, sizeBytes: number, stepBytes: number): Step[] {
  const out: Step[] = [];
  const end = addr + sizeBytes;
  for (let at = addr; at < end; ) {
    const next = Math.min(end, (Math.floor(at / stepBytes) + 1) * stepBytes);
    out.push({ addr: at, end: next });
    at = next;
  }
  return out;
}

/** Where a stepped operation stands: everything before `doneUpTo` is done, `current` is in flight. */
export interface StepPosition {
  doneUpTo: number;
  current: Step | undefined;
}

/**
 * Runs `work` on each step of `range` in order, keeping `position` current.
 * Before each step, once `signal` is aborted, it throws what `stopped` makes of the position.
 */
export async function runInSteps(
  range: { readonly addr: number; readonly sizeBytes: number; readonly stepBytes: number },
  position: StepPosition,
  signal: AbortSignal,
  stopped: (doneUpTo: number) => Error,
  work: (step: Step) => Promise<void>,
): Promise<void> {
  position.doneUpTo = range.addr;
  for (const step of steps(range.addr, range.sizeBytes, range.stepBytes)) {
    if (signal.aborted) throw stopped(position.doneUpTo);
    position.current = step;
    await work(step);
    position.doneUpTo = step.end;
    position.current = undefined;
  }
}

/**
 * Long erases from the CLI go in steps, so that the first Ctrl-C stops them at a step's end — a
 * clean point where the chip has answered and the next command can follow — instead of waiting for
 * the whole range, and so that Ctrl-C can say how far they got. (Reads stop between parts inside
 * the protocol layer: `Device.read`'s `shouldStop`, with one digest for the whole range.)
 */

/**
 * Bytes per step: one 64 KiB flash block (what the stub's ERASE_REGION erases in one go). Each step
 * costs one more command: a round trip against the time the chip takes to erase a block.
 */
export const STEP_BYTES = 0x10000;

/** One step: `[addr, end)`. */
export interface Step {
  readonly addr: number;
  readonly end: number;
}

/** `[addr, addr + sizeBytes)` cut at multiples of {@link STEP_BYTES} (so erase steps stay whole blocks). */
export function steps(addr: number, sizeBytes: number): Step[] {
  const out: Step[] = [];
  const end = addr + sizeBytes;
  for (let at = addr; at < end; ) {
    const next = Math.min(end, (Math.floor(at / STEP_BYTES) + 1) * STEP_BYTES);
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
 * Runs `work` on each step of `[addr, addr + sizeBytes)` in order, keeping `position` current.
 * Before each step, once `signal` is aborted, it throws what `stopped` makes of the position.
 */
export async function runInSteps(
  addr: number,
  sizeBytes: number,
  position: StepPosition,
  signal: AbortSignal,
  stopped: (doneUpTo: number) => Error,
  work: (step: Step) => Promise<void>,
): Promise<void> {
  position.doneUpTo = addr;
  for (const step of steps(addr, sizeBytes)) {
    if (signal.aborted) throw stopped(position.doneUpTo);
    position.current = step;
    await work(step);
    position.doneUpTo = step.end;
    position.current = undefined;
  }
}

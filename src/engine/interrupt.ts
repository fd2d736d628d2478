/**
 * What has been written so far, so that Ctrl-C (or a failure) can say exactly what reached the chip,
 * and the INTERRUPTED error that tells the user what re-running does: start the job when the flash
 * is untouched, finish it when something was erased or written.
 */
import { EspsyncError, RomError, VerifyError, hex32 } from "../errors.js";

/** Running account of the writes of one flash. */
export class FlashProgress {
  /** Flash bytes the chip acknowledged so far (uncompressed, rewrites included). */
  writtenBytes = 0;
  /** Regions finished (written or skipped and verified), as `file at 0x…`. */
  readonly finished: string[] = [];
  /**
   * The region being written and how far it is complete: everything before `doneUpTo` is final
   * (written and acknowledged, or proven equal by digest and skipped). Messages say "complete up
   * to", not "written up to": before the first acknowledged block it is where the first run starts.
   */
  current: { label: string; doneUpTo: number } | undefined;
  /**
   * What may have changed the flash before any byte was acknowledged: `chip` once the whole-chip
   * erase was sent, `erase` once a region erase or a write run (whose begin erases) was sent.
   */
  erased: "none" | "erase" | "chip" = "none";

  constructor(readonly plannedBytes: number) {}
}

/** A region's label in messages: `app.bin at 0x00010000`. */
export function regionLabel(sourcePath: string, addr: number): string {
  return `${sourcePath} at ${hex32(addr)}`;
}

/** What was written before a stop, for messages. */
function progressSummary(progress: FlashProgress): string[] {
  const parts: string[] = progress.writtenBytes === 0 ? [] : [`wrote ${progress.writtenBytes} of ${progress.plannedBytes} planned bytes`];
  if (progress.finished.length > 0) parts.push(`finished: ${progress.finished.join(", ")}`);
  if (progress.current !== undefined) parts.push(`stopped in ${progress.current.label}, complete up to ${hex32(progress.current.doneUpTo)}`);
  return parts;
}

/** The flash after a stop, in words, and whether the flash may differ from before the command. */
function flashState(progress: FlashProgress): { changed: boolean; text: string } {
  if (progress.writtenBytes > 0) return { changed: true, text: "the flash now holds part of the new images" };
  if (progress.erased === "chip") return { changed: true, text: "nothing was written yet, but the whole flash was erased" };
  if (progress.erased === "erase" || progress.current !== undefined) return { changed: true, text: "nothing was written yet, but parts of the flash may already be erased" };
  return { changed: false, text: "nothing was written: the flash is unchanged" };
}

/**
 * A failure that stopped the writes (PORT_CLOSED, a second TIMEOUT, …), restated with what was written
 * and that re-running finishes the job. Same code (and class, for RomError) as `err`; VerifyError
 * and INTERRUPTED pass through.
 */
export function stoppedError(err: unknown, progress: FlashProgress): unknown {
  if (!(err instanceof EspsyncError) || err instanceof VerifyError || err.code === "INTERRUPTED" || err.code === "INTERNAL") return err;
  const message = `${err.message} (${[...progressSummary(progress), flashState(progress).text].join("; ")}). Running the same command again writes only what is still different`;
  const options = { hint: err.hint, cause: err };
  return err instanceof RomError ? new RomError(err.op, err.status, message, options) : new EspsyncError(err.code, message, options);
}

/**
 * The INTERRUPTED error for a stop requested by the caller (Ctrl-C): what was written, and what the
 * same command does — start the job on an unchanged flash, else finish it (it probes again and
 * writes only the sectors still different).
 */
export function interruptedError(progress: FlashProgress, cause?: unknown): EspsyncError {
  const state = flashState(progress);
  const rerun = state.changed ? "Running the same command again finishes the job, writing only what is left" : "Running the same command again starts the job";
  return new EspsyncError("INTERRUPTED", `flash interrupted: ${[...progressSummary(progress), state.text].join("; ")}. ${rerun}`, {
    hint: state.changed ? "Run the same command again; it asks the chip which sectors still differ and writes only those." : "Run the same command again when you want the images written.",
    ...(cause !== undefined && { cause }),
  });
}

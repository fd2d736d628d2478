/**
 * Running one operation on every selected board at once: each board connects, works and is let
 * go on its own; one failing board never stops the others. Each board's outcome (chip, result or
 * error) is kept for the summary, the JSON document and the exit code. `runBoardCommand` is the
 * whole body of a board command around its per-board work.
 */
import { EspsyncError } from "../errors.js";
import { plural } from "../util/plural.js";
import type { AfterMode } from "../protocol/device.js";
import type { Port } from "../transport/port.js";
import { BoardActivity, readOnlyWork } from "./board-activity.js";
import type { CommandContext } from "./command.js";
import { EXIT, exitCodeFor } from "./exit-codes.js";
import { chipToJson, type BoardJson, type BoardsDocument, type ChipJson } from "./json-shapes.js";
import { connectBoard, flushVirtualFlash, portFinder, releaseBoard, type BoardLink } from "./ports/connect-board.js";
import { selectPorts } from "./ports/select-ports.js";
import { Output } from "./render/output.js";
import type { ProgressView } from "./render/progress-view.js";
import { errorToJson, renderError } from "./render-error.js";

/** What an operation gets for one board. */
export interface Board extends BoardLink {
  readonly index: number;
  /** `[port] ` when several boards run, else empty: prefixes this board's lines. */
  readonly prefix: string;
  readonly progress: ProgressView;
  /** Answers Ctrl-C for this board: the work names its reporter with `activity.working(…)`. */
  readonly activity: BoardActivity;
}

/** What an operation returns: its result, optionally a failure that still has a result (verify mismatch). */
export interface BoardWork<R> {
  readonly result: R;
  readonly failure?: EspsyncError;
  /** How to leave the chip instead of `--after` (e.g. `no_reset_stub` before the monitor resets it). */
  readonly after?: AfterMode;
}

/** One board's outcome. */
export interface BoardOutcome<R> {
  readonly url: string;
  readonly chip: ChipJson | null;
  readonly result: R | null;
  readonly error?: unknown;
  readonly exitCode: number;
  /** The port, closed again, for a follow-up (the monitor). */
  readonly port?: Port;
}

/** The port URLs `--port` names (`auto`, `serial:…` and `mac:…` resolved through the io hooks). */
export function selectBoards(ctx: CommandContext): Promise<string[]> {
  return selectPorts(ctx.globals.ports, portFinder(ctx.io, ctx.globals));
}

/** {@link selectBoards} for a command that works on one board (see {@link requireOneBoard}). */
export async function selectOneBoard(command: string, ctx: CommandContext): Promise<string> {
  return requireOneBoard(command, await selectBoards(ctx));
}

/**
 * A board command from connecting to exit code: `work` runs on every board in parallel (with the
 * command's {@link Output}), then {@link finishBoards} prints the summary and the JSON document of
 * the results as they are. `command` names the JSON document, `verb` the summary (`3 of 3 boards erased`).
 */
export async function runBoardCommand<R>(urls: readonly string[], ctx: CommandContext, command: string, verb: string, work: (board: Board, out: Output) => Promise<BoardWork<R>>): Promise<number> {
  const out = new Output(ctx.io, ctx.globals);
  try {
    const outcomes = await runOnBoards<R>(urls, ctx, out, (board) => work(board, out));
    return finishBoards(command, verb, outcomes, ctx, out, (r) => r);
  } finally {
    out.close();
  }
}

/** Runs `work` on every board in parallel; never rejects. */
export async function runOnBoards<R>(urls: readonly string[], ctx: CommandContext, out: Output, work: (board: Board) => Promise<BoardWork<R>>): Promise<BoardOutcome<R>[]> {
  const several = urls.length > 1;
  return Promise.all(
    urls.map(async (url, index): Promise<BoardOutcome<R>> => {
      const prefix = several ? `[${url}] ` : "";
      const progress = out.progress(index, prefix);
      // Ctrl-C is answered from the moment the port is opened: connecting can take seconds.
      const activity = new BoardActivity(url);
      out.onInterrupt(prefix, activity);
      let link: BoardLink | undefined;
      let chip: ChipJson | null = null;
      // A quit (second Ctrl-C) exits without releasing the port; a file-backed virtual chip then
      // saves what it received so far, as a real chip's flash keeps what was programmed.
      const saveOnQuit = (): void => {
        if (link) flushVirtualFlash(link.port);
      };
      ctx.io.quitSignal?.addEventListener("abort", saveOnQuit, { once: true });
      try {
        progress.status(`connecting to ${url}`);
        link = await connectBoard(url, ctx.io, ctx.globals, {
          log: (line) => out.detail(`${prefix}${line}`),
          notice: (line) => out.say(`${prefix}note: ${line}`),
          ...(ctx.globals.trace && { trace: (line: string) => out.stderr(`${prefix}trace: ${line}`) }),
          onAttempt: (n, of) => activity.attempt(n, of),
        });
        chip = chipToJson(link.device.chip);
        // A stop asked for after the last attempt (while the stub went up, say) lands here.
        if (ctx.io.signal.aborted) throw interruptedBeforeWork(url);
        // Until the work names its own reporter (a flash's tracker once it starts comparing).
        activity.working(readOnlyWork(() => "connected; starting", "unchanged: nothing was written yet"));
        const done = await work({ ...link, index, prefix, progress, activity });
        activity.done();
        progress.clear();
        const problem = await releaseBoard(link, done.after ?? ctx.globals.after);
        if (problem !== undefined) out.warn(`${prefix}could not reset the board (${problem}); reset it by hand`);
        if (done.failure) {
          out.stderr(prefixLines(prefix, renderError(done.failure, ctx.globals.debug)));
          return { url, chip, result: done.result, error: done.failure, exitCode: exitCodeFor(done.failure), port: link.port };
        }
        return { url, chip, result: done.result, exitCode: EXIT.ok, port: link.port };
      } catch (error) {
        activity.done();
        progress.clear();
        // A failed or interrupted board is left as it is: no reset, so what happened stays visible.
        if (link) await releaseBoard(link, "close");
        out.stderr(prefixLines(prefix, renderError(error, ctx.globals.debug)));
        return { url, chip, result: null, error, exitCode: exitCodeFor(error), ...(link && { port: link.port }) };
      } finally {
        ctx.io.quitSignal?.removeEventListener("abort", saveOnQuit);
      }
    }),
  );
}

/** INTERRUPTED for a stop that came once the chip answered, before the command's work began. */
function interruptedBeforeWork(url: string): EspsyncError {
  return new EspsyncError("INTERRUPTED", `interrupted after connecting to ${url}, before any work began: the flash is unchanged`, {
    hint: "Run the same command again to do the work.",
  });
}

/** Puts `prefix` before every non-empty line of `text` (a board's error among several boards' output). */
export function prefixLines(prefix: string, text: string): string {
  if (prefix === "") return text;
  return text
    .split("\n")
    .map((l) => (l === "" ? l : `${prefix}${l}`))
    .join("\n");
}

/** The command's exit code: 0 when all succeeded; 130 when any was interrupted; else the first failure's. */
export function combinedExitCode(outcomes: readonly BoardOutcome<unknown>[]): number {
  const failed = outcomes.filter((o) => o.exitCode !== EXIT.ok);
  if (failed.length === 0) return EXIT.ok;
  if (failed.some((o) => o.exitCode === EXIT.interrupted)) return EXIT.interrupted;
  return failed[0]?.exitCode ?? EXIT.unexpected;
}

/** The `--json` document of a board command. */
export function boardsDocument<R, J>(command: string, outcomes: readonly BoardOutcome<R>[], toJson: (result: R) => J): BoardsDocument<J> {
  return {
    ok: outcomes.every((o) => o.exitCode === EXIT.ok),
    command,
    boards: outcomes.map(
      (o): BoardJson<J> => ({
        port: o.url,
        chip: o.chip,
        result: o.result === null ? null : toJson(o.result),
        ...(o.error !== undefined && { error: errorToJson(o.error) }),
      }),
    ),
  };
}

/** With several boards: one summary line naming the ones that failed. */
export function summarise(verb: string, outcomes: readonly BoardOutcome<unknown>[], out: Output): void {
  if (outcomes.length < 2) return;
  const failed = outcomes.filter((o) => o.exitCode !== EXIT.ok);
  const okCount = outcomes.length - failed.length;
  const head = `${okCount} of ${plural(outcomes.length, "board")} ${verb}`;
  if (failed.length === 0) {
    out.result(out.paint(head, "green"));
    return;
  }
  const names = failed.map((o) => `${o.url} (${o.error instanceof EspsyncError ? o.error.code : "INTERNAL"})`).join(", ");
  out.result(`${out.paint(head, "red")}; failed: ${names}`);
}

/** Finishes a board command: summary, JSON document, exit code. */
export function finishBoards<R, J>(command: string, verb: string, outcomes: readonly BoardOutcome<R>[], ctx: CommandContext, out: Output, toJson: (result: R) => J): number {
  out.close();
  summarise(verb, outcomes, out);
  if (ctx.globals.json) ctx.emitJson(boardsDocument(command, outcomes, toJson));
  return combinedExitCode(outcomes);
}

/** Refuses several ports for a command that works on one board. */
export function requireOneBoard(command: string, urls: readonly string[]): string {
  const [only] = urls;
  if (urls.length !== 1 || only === undefined) {
    throw new EspsyncError("USAGE", `espsync ${command} works on one board, but ${urls.length} ports were given (${urls.join(", ")})`, {
      hint: "Name one --port",
    });
  }
  return only;
}

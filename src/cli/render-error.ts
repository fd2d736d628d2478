/**
 * How an error reaches the user: one line `error[CODE]: message`, one `hint:` line, and the cause
 * chain only when asked for (`--debug`), because a stack trace is noise for everyone else.
 */
import { EspsyncError } from "../errors.js";

/** Renders an error for the terminal. */
export function renderError(error: unknown, debug: boolean): string {
  const lines: string[] = [];
  if (error instanceof EspsyncError) {
    lines.push(`error[${error.code}]: ${oneLine(error.message)}`);
    if (error.hint) lines.push(`hint: ${oneLine(error.hint)}`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    lines.push(`error[INTERNAL]: ${oneLine(message)}`);
    lines.push("hint: This is a bug in espsync; please report it with the output of --debug.");
  }
  if (debug) {
    let cause: unknown = error;
    while (cause !== undefined && cause !== null) {
      if (cause instanceof Error) lines.push(`  at: ${cause.stack ?? cause.message}`);
      else lines.push(`  cause: ${String(cause)}`);
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Errors are printed as one line so that CI logs stay greppable. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** The JSON shape of an error in `--json` output. */
export function errorToJson(error: unknown): { code: string; message: string; hint?: string } {
  if (error instanceof EspsyncError) {
    return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  return { code: "INTERNAL", message: error instanceof Error ? error.message : String(error) };
}

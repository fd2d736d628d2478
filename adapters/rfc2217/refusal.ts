/**
 * The one line of text `espsync serve` sends instead of RFC 2217 when it cannot give a client the
 * board (already in use, not connected, cannot be opened), and how espsync's RFC 2217 client turns it
 * back into an error. Plain text, so that any client — telnet, pyserial, a log — shows something a
 * person can act on. Both directions live here so the wording and its reading cannot drift apart.
 */
import { EspsyncError } from "../../src/errors.js";
import type { ClientHolder } from "../tcp/single-client-server.js";

/** Every refusal line starts with this. */
export const REFUSAL_PREFIX = "espsync serve: ";

/** The phrase that marks "another client holds the board". */
const IN_USE = " is in use by ";

/** The line sent for a refusal `text`. */
export function refusalLine(text: string): string {
  return `${REFUSAL_PREFIX}${text}`;
}

/** `/dev/ttyUSB0 (serial 0001) is in use by 10.1.2.3:51234 since 12:03:04`. */
export function busyText(board: string, holder: ClientHolder): string {
  return `${board}${IN_USE}${holder.remote} since ${holder.since.toTimeString().slice(0, 8)}`;
}

/** The board is not plugged in (or not present) right now. */
export function absentText(board: string): string {
  return `${board} is not connected to the board host`;
}

/** The board is present but could not be opened; `busy` when another program holds it. */
export function openFailedText(board: string, reason: string, busy: boolean): string {
  return busy ? `${board}${IN_USE}another program on the board host (${reason})` : `${board} cannot be opened: ${reason}`;
}

/**
 * Reads a refusal from the first bytes a server sent (before any telnet negotiation): `PORT_BUSY`
 * when the board is in use, `PORT_NOT_FOUND` otherwise; undefined when the bytes are not a refusal.
 * `url` names the port in the message.
 */
export function parseRefusal(url: string, bytes: readonly number[]): EspsyncError | undefined {
  const text = Buffer.from(bytes).toString("utf8");
  const start = text.indexOf(REFUSAL_PREFIX);
  if (start < 0) return undefined;
  const line = text.slice(start + REFUSAL_PREFIX.length).split(/\r?\n/)[0]?.trim() ?? "";
  if (line.includes(IN_USE)) {
    return new EspsyncError("PORT_BUSY", `${url}: ${line}`, {
      hint: "The server gives each board to one client at a time; wait for the other job to finish, or use another board.",
    });
  }
  return new EspsyncError("PORT_NOT_FOUND", `${url}: ${line}`, {
    hint: "Check the board on the board host (cable, power, `espsync ports` there); the server serves it again once it is back.",
  });
}

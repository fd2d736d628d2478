/**
 * What `espsync serve` prints: the board → TCP port mapping (at start and whenever it changes) and
 * what happens to clients. Plain lines for people; with `--json` one JSON object per line on stdout
 * (a server runs until stopped, so it cannot print one document), human text on stderr.
 */
import type { BoardServerEvent } from "../../../adapters/index.js";
import type { CommandContext } from "../command.js";

/** A board's state in the mapping. */
export type BoardState = "ready" | "in-use" | "absent" | "error";

/** One row of the mapping. */
export interface MappingRow {
  /** The TCP port serving the board. */
  readonly tcpPort: number;
  /** Where clients connect, e.g. `rfc2217://0.0.0.0:4000` (the listen address). */
  readonly url: string;
  /** The board, e.g. `/dev/ttyUSB0 (CP210x 10c4:ea60, serial 0001)`. */
  readonly board: string;
  /** Its identity across replugs (`serial:…`, `path:…`, `sim:…`). */
  readonly key: string;
  readonly state: BoardState;
  /** The client holding it (`host:port`), when in use. */
  readonly client?: string;
  /** Why it cannot be served (`error`). */
  readonly error?: string;
}

/** Where `serve` reports to. */
export interface ServeReport {
  /** The whole mapping (printed at start and on every change). */
  mapping(rows: readonly MappingRow[], pollIntervalMs: number): void;
  /** Something happened on one board's TCP port. */
  event(row: MappingRow, event: BoardServerEvent): void;
  /** A problem the server survives (a listing that failed, a port that could not be bound). */
  problem(text: string): void;
}

const STATE_TEXT: Record<BoardState, string> = { ready: "ready", "in-use": "in use", absent: "not connected", error: "error" };

/** The reporter for a command run: plain lines, or JSON lines with `--json`. */
export function serveReport(ctx: CommandContext): ServeReport {
  const json = ctx.globals.json;
  const line = (value: unknown): void => ctx.io.stdout.write(`${JSON.stringify(value)}\n`);
  // The mapping is the command's result: `--quiet` keeps it.
  const result = (text: string): void => (json ? ctx.io.stderr : ctx.io.stdout).write(`${text}\n`);
  return {
    mapping(rows, pollIntervalMs) {
      if (json) {
        line({ event: "mapping", boards: rows.map((r) => ({ ...r, client: r.client ?? null, error: r.error ?? null })) });
        return;
      }
      if (rows.length === 0) {
        result(`espsync serve: no boards yet; looking for ports that look like ESP boards every ${pollIntervalMs / 1000} s`);
        return;
      }
      result(`espsync serve: ${rows.length} board${rows.length === 1 ? "" : "s"} (RFC 2217, one client each):`);
      for (const r of rows) result(`  ${r.url}  ${r.board}  ${describeState(r)}`);
    },
    event(row, event) {
      if (json) {
        const { kind, ...rest } = event;
        const details = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v instanceof Error ? v.message : v]));
        line({ event: kind, tcpPort: row.tcpPort, board: row.board, ...details });
        return;
      }
      const at = `espsync serve: ${row.url} ${row.board}:`;
      switch (event.kind) {
        case "connected":
          return ctx.say(`${at} ${event.remote} connected`);
        case "disconnected":
          return ctx.say(`${at} ${event.remote} disconnected`);
        case "refused":
          return ctx.say(`${at} refused ${event.remote} (${event.reason})`);
        case "open-failed":
          return ctx.warn(`${at} cannot open it for ${event.remote}: ${event.error.message}`);
        case "lost":
          return ctx.warn(`${at} went away while ${event.remote} was using it (${event.error.message}); closed that connection`);
        case "local-reset":
          return ctx.detail(`${at} ran the reset into download mode locally for ${event.remote}`);
      }
    },
    problem(text) {
      if (json) line({ event: "problem", message: text });
      ctx.warn(`espsync serve: ${text}`);
    },
  };
}

function describeState(row: MappingRow): string {
  if (row.state === "in-use" && row.client !== undefined) return `in use by ${row.client}`;
  if (row.state === "error" && row.error !== undefined) return `error: ${row.error}`;
  return STATE_TEXT[row.state];
}

/**
 * The running `espsync serve`: one RFC 2217 server per board on its stable TCP port (port-plan.ts),
 * fed by a poll of the port list (board-selection.ts) that notices boards arriving, leaving and
 * coming back. A board that leaves keeps its TCP port (clients are told it is not connected) and is
 * served again when it returns. Nothing one board or one client does stops the host: failures are
 * reported and the next poll tries again.
 */
import { serveBoard, type BoardServer, type BoardServerEvent, type HostPort, type OpenPortOptions, type SerialPortListing } from "../../../adapters/index.js";
import { EspsyncError } from "../../errors.js";
import type { Port } from "../../transport/port.js";
import { flushVirtualFlash } from "../ports/connect-board.js";
import { namedBoards, presentBoards, type PresentBoard, type ServeSpec } from "./board-selection.js";
import { TcpPortPlan } from "./port-plan.js";
import type { MappingRow, ServeReport } from "./serve-report.js";

/** How often the port list is read (a modest interval: each read may spawn `udevadm`). */
export const POLL_INTERVAL_MS = 1_000;

/** A port listing that takes longer than this is given up (and tried again at the next poll). */
const LIST_TIMEOUT_MS = 10_000;

/** What the host needs from the outside world. */
export interface BoardHostOptions {
  /** Host and first TCP port to listen on. */
  readonly listen: HostPort;
  readonly specs: readonly ServeSpec[];
  /** Run reset sequences locally (default) or forward each line change. */
  readonly localReset: boolean;
  readonly list: () => Promise<SerialPortListing[]>;
  readonly openPort: (url: string, options?: OpenPortOptions) => Port;
  /** Whether a device path exists (named paths the listing does not show). */
  readonly exists: (path: string) => boolean;
  readonly report: ServeReport;
  readonly pollIntervalMs?: number;
}

/** One TCP port and what it serves. */
interface Slot {
  readonly key: string;
  label: string;
  server: BoardServer | undefined;
  /** The board behind it while present: what was opened, and the port object clients get. */
  device: { readonly url: string; readonly port: Port } | undefined;
  listenError: string | undefined;
}

/** The serving machinery of `espsync serve`; see the module comment. */
export class BoardHost {
  private readonly plan: TcpPortPlan;
  private readonly slots = new Map<string, Slot>();
  private readonly pollIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: BoardHostOptions) {
    const named = namedBoards(options.specs);
    this.plan = new TcpPortPlan(options.listen.port, named.map((b) => b.key));
    for (const board of named) this.slots.set(board.key, { key: board.key, label: board.label, server: undefined, device: undefined, listenError: undefined });
    this.pollIntervalMs = options.pollIntervalMs ?? POLL_INTERVAL_MS;
  }

  /**
   * Reads the port list, starts a server for every board (named ones even when absent), prints the
   * mapping, and starts polling. Throws when a TCP port cannot be bound now — a second `serve` or a
   * wrong --listen is a mistake to report at once, not to retry forever.
   */
  async start(): Promise<void> {
    await this.scan(true);
    this.schedule();
  }

  /** The mapping as it is now. */
  rows(): MappingRow[] {
    return this.plan.keys.flatMap((key) => {
      const slot = this.slots.get(key);
      return slot === undefined ? [] : [this.row(slot)];
    });
  }

  /** Stops polling, disconnects every client, closes every port and listener. Never rejects. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.scanning?.catch(() => undefined);
    await Promise.all([...this.slots.values()].map((slot) => slot.server?.close().catch(() => undefined)));
    for (const slot of this.slots.values()) if (slot.device !== undefined) flushVirtualFlash(slot.device.port);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.scanning = this.scan(false).catch((error: unknown) => this.options.report.problem(`polling the ports failed: ${messageOf(error)}`));
      void this.scanning.finally(() => this.schedule());
    }, this.pollIntervalMs);
  }

  /** One pass: who is present, who left, who came back; prints the mapping when it changed. */
  private async scan(starting: boolean): Promise<void> {
    let listing: SerialPortListing[];
    try {
      listing = await withTimeout(this.options.list(), LIST_TIMEOUT_MS);
    } catch (error) {
      if (starting) throw error;
      this.options.report.problem(`listing the serial ports failed (${messageOf(error)}); keeping the boards as they were`);
      return;
    }
    if (this.stopped) return;
    const before = this.signature();
    const present = presentBoards(this.options.specs, listing, this.options.exists);
    for (const board of present) await this.arrive(board, starting);
    const here = new Set(present.map((b) => b.key));
    for (const slot of this.slots.values()) if (!here.has(slot.key) && slot.device !== undefined) this.leave(slot);
    // Named boards that are absent still get their listener, so their TCP port answers.
    for (const slot of this.slots.values()) if (slot.server === undefined) await this.listen(slot, starting);
    if (starting || this.signature() !== before) this.options.report.mapping(this.rows(), this.pollIntervalMs);
  }

  private async arrive(board: PresentBoard, starting: boolean): Promise<void> {
    let slot = this.slots.get(board.key);
    if (slot === undefined) {
      slot = { key: board.key, label: board.label, server: undefined, device: undefined, listenError: undefined };
      this.slots.set(board.key, slot);
    }
    this.plan.portFor(board.key);
    slot.label = board.label;
    if (slot.device === undefined || slot.device.url !== board.url) {
      try {
        const port = this.options.openPort(board.url, board.listing === undefined ? {} : { listing: board.listing });
        slot.device = { url: board.url, port };
      } catch (error) {
        if (starting) throw error; // e.g. a sim: URL with an unknown chip: a mistake on the command line
        this.options.report.problem(`${board.label}: ${messageOf(error)}`);
        slot.device = undefined;
      }
    }
    await this.listen(slot, starting);
    slot.server?.setDevice(slot.device === undefined ? undefined : { label: slot.label, port: slot.device.port });
  }

  private leave(slot: Slot): void {
    slot.device = undefined;
    slot.server?.setDevice(undefined);
  }

  /** Starts the slot's listener if it has none; failures are fatal at start, reported later. */
  private async listen(slot: Slot, starting: boolean): Promise<void> {
    if (slot.server !== undefined || this.stopped) return;
    const tcpPort = this.plan.portFor(slot.key);
    try {
      slot.server = await serveBoard({
        address: { host: this.options.listen.host, port: tcpPort },
        label: slot.label,
        localReset: this.options.localReset,
        onEvent: (event) => this.onEvent(slot, event),
      });
      slot.listenError = undefined;
    } catch (error) {
      if (starting) throw error;
      const message = messageOf(error);
      if (slot.listenError !== message) this.options.report.problem(`${slot.label}: ${message}; trying again`);
      slot.listenError = message;
    }
  }

  /** The mapping without its clients: what a mapping print is about (clients have their own events). */
  private signature(): string {
    return JSON.stringify(this.rows().map(({ client: _client, state, ...row }) => ({ ...row, state: state === "in-use" ? "ready" : state })));
  }

  private onEvent(slot: Slot, event: BoardServerEvent): void {
    this.options.report.event(this.row(slot), event);
  }

  private row(slot: Slot): MappingRow {
    const tcpPort = slot.server?.port ?? this.plan.portFor(slot.key);
    const holder = slot.server?.holder;
    const state = slot.listenError !== undefined ? "error" : slot.device === undefined ? "absent" : holder !== undefined ? "in-use" : "ready";
    return {
      tcpPort,
      url: `rfc2217://${hostText(this.options.listen.host)}:${tcpPort}`,
      board: slot.label,
      key: slot.key,
      state,
      ...(holder !== undefined && { client: holder.remote }),
      ...(slot.listenError !== undefined && { error: slot.listenError }),
    };
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new EspsyncError("TIMEOUT", `listing the serial ports took longer than ${timeoutMs} ms`, { hint: "Check the board host's USB subsystem (udevadm, dmesg)." })),
      timeoutMs,
    );
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

function hostText(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

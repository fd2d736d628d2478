/**
 * One board on one TCP port, over RFC 2217: what `espsync serve` runs per board. The listener stays
 * up for the life of the server, whether the board is plugged in or not, so its TCP port stays
 * reserved and a client always gets an answer:
 *
 * - board present and free: the board's port is opened for this client (and closed when it leaves,
 *   as ser2net does, so the board is not locked while nobody uses it) and served with
 *   {@link attachRfc2217Client} — by default with reset sequences run locally (local-reset.ts);
 * - board in use: one line of text naming the client that holds it, then the connection closes;
 * - board absent, or its port cannot be opened: one line of text saying so (refusal.ts).
 *
 * When the board goes away while in use (unplugged: its port fails or the port list no longer has
 * it) the client's connection is closed and the listener carries on. Nothing here throws at the
 * caller after start: failures are reported through `onEvent`.
 */
import type { Socket } from "node:net";
import { PortEndpoint } from "../../src/transport/port-endpoint.js";
import type { Port } from "../../src/transport/port.js";
import { EspsyncError } from "../../src/errors.js";
import type { HostPort } from "../tcp/host-port.js";
import { listenSingleClient, refuse, type ClientHolder, type RunningServer } from "../tcp/single-client-server.js";
import type { LocalResetAction, LocalResetTiming } from "./local-reset.js";
import { absentText, busyText, openFailedText, refusalLine } from "./refusal.js";
import { attachRfc2217Client } from "./rfc2217-server.js";

/** The board behind a TCP port while it is present. */
export interface ServedDevice {
  /** How the board is named in refusals and events, e.g. `/dev/ttyUSB0 (serial 0001)`. */
  readonly label: string;
  /** Its port, unopened; opened for each client and closed when the client leaves. */
  readonly port: Port;
}

/** What happened on a board's TCP port. */
export type BoardServerEvent =
  | { readonly kind: "connected"; readonly remote: string }
  | { readonly kind: "disconnected"; readonly remote: string }
  | { readonly kind: "refused"; readonly remote: string; readonly reason: string }
  | { readonly kind: "open-failed"; readonly remote: string; readonly error: Error }
  | { readonly kind: "lost"; readonly remote: string; readonly error: Error }
  | { readonly kind: "local-reset"; readonly remote: string; readonly action: LocalResetAction };

/** Options of {@link serveBoard}. */
export interface BoardServerOptions {
  /** Where to listen (port 0 = ephemeral). */
  readonly address: HostPort;
  /** How the board is named while it is absent (refusals). */
  readonly label: string;
  /** Run reset sequences locally (default true); false forwards each line change as ser2net does. */
  readonly localReset?: boolean;
  /** Shorter reset timings for tests (default: esptool's). */
  readonly localResetTiming?: LocalResetTiming;
  /** Told about clients, refusals and lost boards. */
  readonly onEvent?: (event: BoardServerEvent) => void;
}

/** A running board server. */
export interface BoardServer extends RunningServer {
  /**
   * Sets the board behind the port (undefined: absent, clients are refused). A client attached to
   * another port object than the new one — the board was unplugged — is disconnected.
   */
  setDevice(device: ServedDevice | undefined): void;
}

/** Baud rate a board's port is opened at; every RFC 2217 client sets its own right after. */
const OPEN_BAUD = 115_200;

/**
 * Starts serving on `options.address`; rejects like the other servers when the address is taken
 * (`PORT_BUSY`) or not allowed (`PORT_PERMISSION`). The board starts absent: call `setDevice`.
 */
export async function serveBoard(options: BoardServerOptions): Promise<BoardServer> {
  let device: ServedDevice | undefined;
  let label = options.label;
  let session: { socket: Socket; holder: ClientHolder; port: Port } | undefined;
  const endpointsClosing = new Set<Promise<void>>();
  const emit = (event: BoardServerEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // a failing log line must not take the board down
    }
  };

  const server = await listenSingleClient(
    options.address,
    (socket, holder) => {
      const served = device;
      if (served === undefined) {
        // admit() refused already; unreachable unless the board left between the two calls
        refuse(socket, refusalLine(absentText(label)));
        return () => undefined;
      }
      const endpoint = new PortEndpoint(served.port, { initialBaudRate: OPEN_BAUD });
      const current = { socket, holder, port: served.port };
      session = current;
      let detach: (() => void) | undefined;
      let left = false;
      let connected = false;
      // The board's port is opened before RFC 2217 starts, so a port that cannot be opened is a
      // refusal line the client can show; until then the client's bytes wait in the socket.
      endpoint.open().then(
        () => {
          if (left) return;
          connected = true;
          emit({ kind: "connected", remote: holder.remote });
          endpoint.onGone((error) => {
            emit({ kind: "lost", remote: holder.remote, error });
            socket.destroy();
          });
          detach = attachRfc2217Client(socket, endpoint, { baudRate: OPEN_BAUD, dtr: false, rts: false }, {
            localReset: options.localReset !== false,
            ...(options.localResetTiming !== undefined && { localResetTiming: options.localResetTiming }),
            onLocalReset: (action) => emit({ kind: "local-reset", remote: holder.remote, action }),
          });
        },
        (error: unknown) => {
          const failure = error instanceof Error ? error : new Error(String(error));
          emit({ kind: "open-failed", remote: holder.remote, error: failure });
          const busy = failure instanceof EspsyncError && failure.code === "PORT_BUSY";
          if (!left) refuse(socket, refusalLine(openFailedText(served.label, failure.message, busy)));
        },
      );
      return () => {
        left = true;
        detach?.();
        if (session === current) session = undefined;
        const closing = endpoint.close();
        endpointsClosing.add(closing);
        void closing.finally(() => endpointsClosing.delete(closing));
        if (connected) emit({ kind: "disconnected", remote: holder.remote });
      };
    },
    "espsync serve",
    {
      busyMessage: (holder, remote) => {
        const reason = busyText(label, holder);
        emit({ kind: "refused", remote, reason });
        return refusalLine(reason);
      },
      admit: (remote) => {
        if (device !== undefined) return undefined;
        const reason = absentText(label);
        emit({ kind: "refused", remote, reason });
        return refusalLine(reason);
      },
    },
  );

  let closing: Promise<void> | undefined;
  return {
    host: server.host,
    port: server.port,
    get holder() {
      return server.holder;
    },
    setDevice(next) {
      device = next;
      if (next !== undefined) label = next.label;
      const attached = session;
      if (attached !== undefined && attached.port !== next?.port) {
        emit({
          kind: "lost",
          remote: attached.holder.remote,
          error: new EspsyncError("PORT_NOT_FOUND", `${label} went away while ${attached.holder.remote} was using it`, {
            hint: "The board was unplugged or re-enumerated; it is served again when it returns.",
          }),
        });
        attached.socket.destroy();
      }
    },
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await Promise.all([...endpointsClosing]);
      })()),
  };
}

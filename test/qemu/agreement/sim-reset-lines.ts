/**
 * Reset lines of `espsync sim` for the agreement tests: the simulator also serves RFC 2217, and a
 * reset is the classic DTR/RTS sequence of a dev board's auto-reset circuit (PROTOCOL.md §4.1,
 * §4.2) sent as bare COM-PORT-OPTION SET-CONTROL commands (RFC 2217). Only the lines are used;
 * the data goes over the raw TCP port. (Restarting the process instead costs seconds.)
 */
import { connect, type Socket } from "node:net";

/** Telnet and RFC 2217 bytes: IAC SB COM-PORT-OPTION SET-CONTROL value IAC SE. */
const IAC = 255;
const SB = 250;
const SE = 240;
const COM_PORT_OPTION = 44;
const SET_CONTROL = 5;
const CONTROL = { DTR_ON: 8, DTR_OFF: 9, RTS_ON: 11, RTS_OFF: 12 } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A connection to the simulator's RFC 2217 port that only drives DTR and RTS. */
export class SimResetLines {
  private constructor(private readonly socket: Socket) {
    socket.on("data", () => undefined); // the server's negotiation and the chip's output: not needed here
    socket.on("error", () => undefined);
  }

  /** Connects to `127.0.0.1:port`; rejects after `timeoutMs`. */
  static open(port: number, timeoutMs = 3000): Promise<SimResetLines> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no RFC 2217 connection to 127.0.0.1:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new SimResetLines(socket));
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Resets into the ROM download loader: EN low, then EN released with IO0 held low. */
  async resetIntoDownload(): Promise<void> {
    this.control(CONTROL.DTR_OFF);
    this.control(CONTROL.RTS_ON);
    await sleep(100);
    // One write: the two changes reach the simulator together, well inside the strap-settle window
    // after EN rises (what the EN capacitor guarantees on a board). IO0 stays low afterwards: it is
    // only sampled at reset, and releasing it soon after could, on a starved host, reach the
    // simulator before its strap sampling ran.
    this.control(CONTROL.DTR_ON, CONTROL.RTS_OFF);
  }

  /** Closes the connection. */
  close(): void {
    this.socket.destroy();
  }

  private control(...values: number[]): void {
    this.socket.write(Uint8Array.from(values.flatMap((v) => [IAC, SB, COM_PORT_OPTION, SET_CONTROL, v, IAC, SE])));
  }
}

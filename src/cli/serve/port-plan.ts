/**
 * Which TCP port serves which board, kept stable: boards named with `-p` hold PORT, PORT+1, … in
 * command-line order whether they are plugged in or not; other boards take the next free port the
 * first time they are seen and keep it while the server runs, so a replugged board (same USB serial
 * number) gets its old port back. With the same boards present at start, a restart gives the same
 * mapping, because the caller offers new boards in a fixed order (board-selection.ts). Pure.
 */
import { EspsyncError } from "../../errors.js";

/** The assignment of TCP ports to board keys. */
export class TcpPortPlan {
  private readonly byKey = new Map<string, number>();
  private readonly used = new Set<number>();

  /**
   * @param basePort the first TCP port; 0 gives every board an ephemeral port (the OS's choice),
   *   so nothing is stable — for tests and trials.
   * @param namedKeys keys of the boards named on the command line, in order.
   */
  constructor(
    private readonly basePort: number,
    namedKeys: readonly string[],
  ) {
    namedKeys.forEach((key, index) => this.take(key, basePort === 0 ? 0 : basePort + index));
  }

  /** The TCP port of `key`, assigning the next free one when it is new. Throws USAGE past port 65535. */
  portFor(key: string): number {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    if (this.basePort === 0) return this.take(key, 0);
    let port = this.basePort;
    while (this.used.has(port)) port += 1;
    if (port > 65_535) {
      throw new EspsyncError("USAGE", `espsync serve: no TCP port left above ${this.basePort} for ${key}`, { hint: "Choose a lower --listen port." });
    }
    return this.take(key, port);
  }

  /** Keys with a port, in the order they got it. */
  get keys(): string[] {
    return [...this.byKey.keys()];
  }

  private take(key: string, port: number): number {
    this.byKey.set(key, port);
    if (port !== 0) this.used.add(port);
    return port;
  }
}

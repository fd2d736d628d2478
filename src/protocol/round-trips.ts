/**
 * The link's round trip as measured on this connection: the time from sending a small request to
 * receiving its reply, for commands the chip answers at once (register access, SPI_ATTACH, …). It
 * is what the planner charges for each exchange that has to wait for the one before (PROTOCOL.md
 * §12: the stub answers one request at a time; every write block waits for its acknowledgement).
 *
 * The median of the recent samples, not the minimum: over TCP the first exchanges of a connection
 * can be acknowledged at once while later ones wait for delayed acknowledgements (seen under QEMU:
 * 2–3 ms, then about 44 ms for every exchange), and the later ones are what a flash pays.
 */

/** Samples kept: enough for a stable median, few enough to follow a rate change. */
const KEPT = 15;

/** Requests up to this many data bytes count as "answered at once" when their opcode says so. */
export const SMALL_REQUEST_BYTES = 32;

/** Recent round-trip samples of one connection. */
export class RoundTrips {
  private readonly samples: number[] = [];

  /** Records one exchange that took `ms`. */
  add(ms: number): void {
    this.samples.push(ms);
    if (this.samples.length > KEPT) this.samples.shift();
  }

  /** Median of the recent samples in seconds; undefined before the first. */
  medianS(): number | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const ms = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
    return ms / 1000;
  }
}

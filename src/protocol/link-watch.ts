/**
 * Notices at once when the conversation with the loader is over, instead of waiting for a reply's
 * timeout (a data block's can be many seconds):
 * - the port closed (board unplugged, TCP peer gone);
 * - the chip reset: a ROM boot banner (`rst:0x1 (POWERON),boot:0x…`, PROTOCOL.md §4.4) arrived
 *   between SLIP frames, where only loader replies belong — or, at a transfer rate other than the
 *   ROM's, a burst of bytes outside any frame (the same boot log, garbled by the baud mismatch).
 *   Brown-outs and power loss mid-write end this way; the chip then runs its application.
 * Reads race {@link LinkWatch.lost}; the watch is paused while espsync itself resets the chip.
 */
import type { Port } from "../transport/port.js";
import type { LinkState } from "./command-link.js";

/** Why the conversation ended: the port closed, or the chip printed a boot banner (`banner`). */
export type LinkLoss =
  | { readonly kind: "closed" }
  | { readonly kind: "reset"; readonly banner: string }
  | { readonly kind: "garbage"; readonly bytes: number };

/** A ROM banner line: reset cause then boot mode (§4.4). */
const BOOT_BANNER = /rst:0x[0-9a-f]+ \(([A-Z0-9_]+)\),\s*boot:0x[0-9a-f]+ \(([^)]*)\)/i;
/** Out-of-frame text kept to find a banner split over several chunks. */
const TEXT_KEEP_CHARS = 256;
const SLIP_END = 0xc0;
/** Out-of-frame bytes that mean "not a loader any more": a boot log is hundreds; line noise a few. */
const GARBAGE_BYTES = 32;
/** After esptool-js rejects a garbled reply, how long the rest of a boot log may take to arrive. */
const GARBAGE_GRACE_MS = 50;

/** See the module comment. */
export class LinkWatch {
  private reason: LinkLoss | undefined;
  private armed = false;
  private inFrame = false;
  private text = "";
  private outsideBytes = 0;
  private readonly waiters = new Set<(reason: LinkLoss) => void>();
  private readonly detach: (() => void)[];

  constructor(
    port: Port,
    private readonly state: LinkState,
  ) {
    this.detach = [port.onClose(() => this.fail({ kind: "closed" })), port.onData((chunk) => this.scan(chunk))];
  }

  /** Starts watching (after connect, after a reconnect); forgets earlier observations. */
  arm(): void {
    this.reason = undefined;
    this.state.portClosed = false;
    this.inFrame = false;
    this.text = "";
    this.outsideBytes = 0;
    this.armed = true;
  }

  /** Stops watching: espsync itself is about to reset the chip or close the port. */
  pause(): void {
    this.armed = false;
  }

  /** Why the link is lost, if it is. */
  get lostReason(): LinkLoss | undefined {
    return this.reason;
  }

  /** Settles with `work`, or rejects with the {@link LinkLoss} as soon as the link is lost. */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.reason) {
      work.catch(() => undefined);
      return Promise.reject(this.reason);
    }
    let stop = (): void => undefined;
    const lost = new Promise<never>((_, reject) => {
      this.waiters.add(reject);
      stop = () => this.waiters.delete(reject);
    });
    return Promise.race([work, lost]).finally(stop);
  }

  /**
   * The loss that explains `err`, if any. esptool-js rejects the first byte outside a frame at once
   * ("Invalid head of packet"), usually before a whole boot log has arrived: give it a moment.
   */
  async explain(err: unknown): Promise<LinkLoss | undefined> {
    if (!this.reason && this.armed && /Invalid head of packet|Invalid SLIP escape/i.test(err instanceof Error ? err.message : String(err))) {
      await new Promise((resolve) => setTimeout(resolve, GARBAGE_GRACE_MS));
    }
    return this.reason;
  }

  /** Unregisters from the port. */
  dispose(): void {
    for (const d of this.detach.splice(0)) d();
    this.waiters.clear();
  }

  private fail(reason: LinkLoss): void {
    if (reason.kind === "closed") this.state.portClosed = true;
    if (!this.armed || this.reason) return;
    this.reason = reason;
    for (const w of [...this.waiters]) w(reason);
  }

  private scan(chunk: Uint8Array): void {
    if (!this.armed) return;
    let outside = "";
    for (const b of chunk) {
      if (b === SLIP_END) this.inFrame = !this.inFrame;
      else if (!this.inFrame) outside += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : " ";
    }
    if (!outside) return;
    this.outsideBytes += outside.length;
    this.text = (this.text + outside).slice(-TEXT_KEEP_CHARS);
    const m = BOOT_BANNER.exec(this.text);
    if (m) this.fail({ kind: "reset", banner: m[0] });
    else if (this.outsideBytes >= GARBAGE_BYTES) this.fail({ kind: "garbage", bytes: this.outsideBytes });
  }
}

/**
 * The transmit side of the virtual chip's UART: what the chip sends reaches the host's listeners
 * asynchronously (setImmediate, or after a real-time hold), never from inside the call that
 * produced it, and at a rate the host does not listen at it arrives as garbage.
 */
import type { VirtualClock } from "./timing.js";

/** What the output needs from the chip. */
export interface UartOutputHooks {
  /** The timing model, when there is one: when each chunk arrives at the host. */
  readonly clock: VirtualClock | undefined;
  /** Counts every byte sent. */
  readonly countSent: (bytes: number) => void;
  /** Runs once everything queued has reached the listeners (the ROM then reads its FIFO). */
  readonly drained: () => void;
}

/** Queued chip output and the host's listeners. */
export class UartOutput {
  private readonly listeners = new Set<(data: Uint8Array) => void>();
  private queue: { data: Uint8Array; arrivalS: number }[] = [];
  private scheduled = false;
  /**
   * Real-time milliseconds to hold the output queued while it is set (the `delay=` option: a reply
   * held in wall time, so that a test can interrupt the host meanwhile).
   */
  holdMs = 0;

  constructor(private readonly hooks: UartOutputHooks) {}

  /** Adds a host listener; returns its remover. */
  listen(listener: (data: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Output is on its way to the host: the chip is still busy with the command that produced it, as
   * far as any host can tell (it cannot have seen the reply yet).
   */
  get pending(): boolean {
    return this.scheduled;
  }

  /** Queues `data`, ready to leave at virtual time `readyS`; `garbled` sends as many zero bytes instead. */
  send(data: Uint8Array, readyS: number, uartBaud: number, garbled: boolean): void {
    const out = garbled ? new Uint8Array(data.length) : data;
    this.hooks.countSent(out.length);
    const arrivalS = this.hooks.clock ? this.hooks.clock.chipSend(out.length, readyS, uartBaud) : 0;
    this.queue.push({ data: out, arrivalS });
    if (this.scheduled) return;
    this.scheduled = true;
    if (this.holdMs > 0) setTimeout(() => this.deliver(), this.holdMs);
    else setImmediate(() => this.deliver());
  }

  private deliver(): void {
    this.scheduled = false;
    const chunks = this.queue;
    this.queue = [];
    for (const c of chunks) {
      this.hooks.clock?.delivered(c.arrivalS);
      for (const l of [...this.listeners]) l(c.data);
    }
    this.hooks.drained();
  }
}

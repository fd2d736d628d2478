/**
 * Bounded waits for an RFC 2217 server's replies and for negotiation milestones. Every wait ends:
 * with the matching reply, with `undefined` at its deadline, or with `undefined` when the link closes.
 */

interface ReplyWaiter {
  readonly subcommand: number;
  readonly matches: (value: Uint8Array) => boolean;
  readonly finish: (value: Uint8Array | undefined) => void;
}

interface ConditionWaiter {
  readonly check: () => boolean;
  readonly finish: (met: boolean) => void;
}

/** Pending waits of one connection. */
export class ReplyWaiters {
  private readonly replies = new Set<ReplyWaiter>();
  private readonly conditions = new Set<ConditionWaiter>();

  /**
   * Resolves with the value of the first server reply to `subcommand` (client numbering) whose value
   * `matches`, or `undefined` after `timeoutMs`. Register before sending the request.
   */
  expectReply(subcommand: number, matches: (value: Uint8Array) => boolean, timeoutMs: number): Promise<Uint8Array | undefined> {
    return new Promise((resolve) => {
      const waiter: ReplyWaiter = {
        subcommand,
        matches,
        finish: (value) => {
          clearTimeout(timer);
          this.replies.delete(waiter);
          resolve(value);
        },
      };
      const timer = setTimeout(() => waiter.finish(undefined), timeoutMs);
      this.replies.add(waiter);
    });
  }

  /** Resolves true once `check()` holds (re-checked after every incoming chunk), false at the deadline. */
  until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: ConditionWaiter = {
        check,
        finish: (met) => {
          clearTimeout(timer);
          this.conditions.delete(waiter);
          resolve(met);
        },
      };
      const timer = setTimeout(() => waiter.finish(false), timeoutMs);
      this.conditions.add(waiter);
    });
  }

  /** A server reply arrived: completes the oldest waiter it matches. */
  reply(subcommand: number, value: Uint8Array): void {
    for (const waiter of this.replies) {
      if (waiter.subcommand === subcommand && waiter.matches(value)) {
        waiter.finish(value);
        return;
      }
    }
  }

  /** Something changed: re-evaluates the conditions. */
  recheck(): void {
    for (const waiter of [...this.conditions]) if (waiter.check()) waiter.finish(true);
  }

  /** The link closed: every wait ends now. */
  cancelAll(): void {
    for (const waiter of [...this.replies]) waiter.finish(undefined);
    for (const waiter of [...this.conditions]) waiter.finish(false);
  }
}

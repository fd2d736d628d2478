/**
 * Fault injection for reliability tests. Rules are one-shot: each counts the events it matches and
 * fires on the `nth` (1-based). Rules can be given at creation and added or cleared at run time.
 */

/** One fault to inject. `op` is a command opcode (PROTOCOL.md §2). */
export type FaultRule =
  /** Do not send the nth response packet carrying opcode `op`. */
  | { readonly kind: "drop-response"; readonly op: number; readonly nth: number }
  /** Flip all bits of one byte (default: the last) of the nth response packet carrying `op`. */
  | { readonly kind: "corrupt-response"; readonly op: number; readonly nth: number; readonly byteIndex?: number }
  /** Flip all bits of one byte (default: the last) of the nth request with `op`, before it is parsed. */
  | { readonly kind: "corrupt-request"; readonly op: number; readonly nth: number; readonly byteIndex?: number }
  /** After `afterFrames` frames from the host, ignore everything (no replies at all). */
  | { readonly kind: "silence"; readonly afterFrames: number }
  /** The chip hangs at the nth request with `op`: that request and everything after it get no answer until the chip is reset. */
  | { readonly kind: "hang"; readonly op: number; readonly nth: number }
  /** The link drops at the nth request with `op` (the request is not executed). */
  | { readonly kind: "disconnect"; readonly op: number; readonly nth: number }
  /**
   * Power loss during the nth FLASH_DATA / FLASH_DEFL_DATA (or only `op` when given): half of that
   * packet's bytes reach the flash, then the chip reboots into the application. With any other
   * `op` the chip reboots into the application as that request arrives, without answering it.
   */
  | { readonly kind: "power-loss"; readonly op?: number; readonly nth: number }
  /** Answer the nth request with `op` with failure `status` (ROM error byte or stub code) instead of executing it. */
  | { readonly kind: "error-status"; readonly op: number; readonly nth: number; readonly status: number };

/** What to do with one request. */
export interface RequestFaults {
  corruptIndex?: number;
  disconnect?: boolean;
  powerLoss?: boolean;
  errorStatus?: number;
  hang?: boolean;
}

/** FLASH_DATA and FLASH_DEFL_DATA (§2.2, §2.3): a power loss during one lands half its packet in flash; the loaders handle those. */
export const DATA_OPS: readonly number[] = [0x03, 0x11];

/** A copy of `bytes` with all bits of byte `index` flipped (-1, or past the end: the last byte). */
export function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  const out = bytes.slice();
  const at = index < 0 ? out.length - 1 : Math.min(index, out.length - 1);
  out[at] = (out[at] as number) ^ 0xff;
  return out;
}

/** Holds the active rules and their counters. */
export class FaultInjector {
  private rules: { rule: FaultRule; seen: number; fired: boolean }[] = [];
  private frames = 0;
  private hung = false;

  constructor(rules: readonly FaultRule[] = []) {
    this.set(rules);
  }

  /** Replaces all rules (counters restart). */
  set(rules: readonly FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, seen: 0, fired: false }));
    this.frames = 0;
    this.hung = false;
  }

  /** Adds a rule; its counter starts now. */
  add(rule: FaultRule): void {
    this.rules.push({ rule, seen: 0, fired: false });
    if (rule.kind === "silence") this.frames = 0;
  }

  /** Removes all rules. */
  clear(): void {
    this.set([]);
  }

  /** Rules that have not fired yet. */
  get pending(): readonly FaultRule[] {
    return this.rules.filter((r) => !r.fired).map((r) => r.rule);
  }

  /** The chip was reset: a hang ends. */
  onReset(): void {
    this.hung = false;
  }

  /** Counts one received frame; true when the chip has gone silent. */
  silencedBy(): boolean {
    this.frames++;
    if (this.hung) return true;
    return this.rules.some((r) => r.rule.kind === "silence" && this.frames > r.rule.afterFrames && (r.fired = true));
  }

  /** Faults for a request with opcode `op` (its raw frame is `frame`). */
  onRequest(op: number): RequestFaults {
    const out: RequestFaults = {};
    for (const r of this.rules) {
      const rule = r.rule;
      if (r.fired || rule.kind === "silence" || rule.kind === "drop-response" || rule.kind === "corrupt-response") continue;
      const matches = rule.kind === "power-loss" ? (rule.op === undefined ? DATA_OPS.includes(op) : rule.op === op) : rule.op === op;
      if (!matches || ++r.seen !== rule.nth) continue;
      r.fired = true;
      if (rule.kind === "corrupt-request") out.corruptIndex = rule.byteIndex ?? -1;
      else if (rule.kind === "disconnect") out.disconnect = true;
      else if (rule.kind === "power-loss") out.powerLoss = true;
      else if (rule.kind === "hang") out.hang = this.hung = true;
      else out.errorStatus = rule.status;
    }
    return out;
  }

  /** Faults for a response packet with opcode `op`: drop it, or corrupt a byte (-1 = last). */
  onResponse(op: number): { drop: boolean; corruptIndex?: number } {
    const out: { drop: boolean; corruptIndex?: number } = { drop: false };
    for (const r of this.rules) {
      const rule = r.rule;
      if (r.fired || (rule.kind !== "drop-response" && rule.kind !== "corrupt-response") || rule.op !== op) continue;
      if (++r.seen !== rule.nth) continue;
      r.fired = true;
      if (rule.kind === "drop-response") out.drop = true;
      else out.corruptIndex = rule.byteIndex ?? -1;
    }
    return out;
  }
}

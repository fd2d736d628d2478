/**
 * DTR/RTS sequences that reset the chip (PROTOCOL.md §4), parsed from esptool-js's custom-reset
 * syntax (`D0|R1|W100|D1|R0|W50|D0`) and run through `Port.setLines`, which always sets both lines
 * together. That avoids esptool-js's transport, which remembers DTR wrongly after a classic reset
 * and therefore never pulses EN in its hard reset (§4.2).
 */
import type { ControlLines, Port } from "../transport/port.js";
import { usageError } from "./protocol-errors.js";

/** One step: set both lines, or wait. */
export type ResetStep = { readonly lines: ControlLines } | { readonly waitMs: number };

/** Longest wait one `W` step may ask for (a longer one is almost certainly a typo). */
export const MAX_RESET_WAIT_MS = 10_000;

const SYNTAX_HINT =
  "Write the sequence as |-separated steps: D0/D1 (DTR), R0/R1 (RTS), W<ms> (wait), e.g. D0|R1|W100|D1|R0|W50|D0.";

/**
 * Parses a custom reset sequence. `D`/`R` change one line and keep the other (both start
 * deasserted), so each produces a full `lines` step. Throws `RESET_SEQUENCE_INVALID`.
 */
export function parseResetSequence(text: string): ResetStep[] {
  const tokens = text.split("|").map((t) => t.trim());
  if (text.trim() === "") throw usageError("RESET_SEQUENCE_INVALID", "the reset sequence is empty", SYNTAX_HINT);
  const steps: ResetStep[] = [];
  let lines: ControlLines = { dtr: false, rts: false };
  tokens.forEach((token, index) => {
    const m = /^([DRW])(\d+)$/.exec(token);
    const where = `step ${index + 1} ("${token}") of reset sequence "${text}"`;
    if (!m) throw usageError("RESET_SEQUENCE_INVALID", `invalid ${where}`, SYNTAX_HINT);
    const [, code, arg] = m;
    const value = Number(arg);
    if (code === "W") {
      if (value <= 0 || value > MAX_RESET_WAIT_MS) {
        throw usageError("RESET_SEQUENCE_INVALID", `invalid wait in ${where}: must be 1..${MAX_RESET_WAIT_MS} ms`, SYNTAX_HINT);
      }
      steps.push({ waitMs: value });
      return;
    }
    if (arg !== "0" && arg !== "1") throw usageError("RESET_SEQUENCE_INVALID", `invalid ${where}: D and R take 0 or 1`, SYNTAX_HINT);
    lines = code === "D" ? { ...lines, dtr: value === 1 } : { ...lines, rts: value === 1 };
    steps.push({ lines });
  });
  return steps;
}

/** esptool-js's classic reset (§4.2): EN low, then IO0 low while EN rises, then release. */
export function classicResetSteps(delayMs: number): ResetStep[] {
  return [
    { lines: { dtr: false, rts: true } },
    { waitMs: 100 },
    { lines: { dtr: true, rts: false } },
    { waitMs: delayMs },
    { lines: { dtr: false, rts: false } },
  ];
}

/** USB-Serial/JTAG reset (§4.2), as esptool-js sends it (ends with both lines released). */
export const USB_JTAG_RESET_STEPS: readonly ResetStep[] = [
  { lines: { dtr: false, rts: false } },
  { waitMs: 100 },
  { lines: { dtr: true, rts: false } },
  { waitMs: 100 },
  { lines: { dtr: false, rts: true } },
  { waitMs: 100 },
  { lines: { dtr: false, rts: false } },
];

/** Our hard reset (§4.2): EN pulse with IO0 released, so the chip boots its application. */
export const HARD_RESET_STEPS: readonly ResetStep[] = [
  { lines: { dtr: false, rts: true } },
  { waitMs: 100 },
  { lines: { dtr: false, rts: false } },
];

/**
 * The hard reset over the chip's own USB port (esptool's `HardReset` with `uses_usb`): RTS held
 * 200 ms, then 200 ms for the chip to come out of reset before any further line change.
 */
export const USB_HARD_RESET_STEPS: readonly ResetStep[] = [
  { lines: { dtr: false, rts: true } },
  { waitMs: 200 },
  { lines: { dtr: false, rts: false } },
  { waitMs: 200 },
];

/** Runs the steps on the port. */
export async function runResetSteps(port: Port, steps: readonly ResetStep[]): Promise<void> {
  for (const step of steps) {
    if ("waitMs" in step) await new Promise((resolve) => setTimeout(resolve, step.waitMs));
    else await port.setLines(step.lines);
  }
}

/**
 * The fault matrix's axes: every phase of a flash (and of a read, and of leaving the chip) crossed with
 * every fault the simulator injects. Opcodes per PROTOCOL.md §2.
 */
import type { FaultRule } from "../../adapters/sim/faults.js";

/** Opcodes used by the phases (PROTOCOL.md §2). */
export const OPS = {
  FLASH_BEGIN: 0x02,
  FLASH_END: 0x04,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  READ_FLASH: 0xd2,
} as const;

/** One phase: which request the fault hits, and when the rule is installed. */
export interface Phase {
  readonly name: string;
  readonly op: number;
  /** Which request with `op` (1-based) after the rule is installed. */
  readonly nth: number;
  /** creation: before connect; connected: after connect; planned: at the flash's plan event (next digest = verification); flashed: after the flash, before leaving the chip. */
  readonly arm: "creation" | "connected" | "planned" | "flashed";
  /** What is run: a flash, a read, or a flash then `finish("soft_reset")` through the ROM. */
  readonly kind: "flash" | "read" | "finish";
  /** Talk to the ROM only (`--no-stub`). */
  readonly romOnly?: boolean;
  /** The flasher stub answers (else the ROM): picks the error status. */
  readonly stub: boolean;
  /** What a stop's message must name: the phase, or the command and its address. */
  readonly named: RegExp;
}

export const PHASES: readonly Phase[] = [
  { name: "connect/sync", op: OPS.SYNC, nth: 1, arm: "creation", kind: "flash", stub: false, named: /connect to sim:esp32c3/ },
  { name: "stub upload", op: OPS.MEM_DATA, nth: 1, arm: "creation", kind: "flash", stub: false, named: /flasher stub/ },
  { name: "baud change", op: OPS.CHANGE_BAUDRATE, nth: 1, arm: "creation", kind: "flash", stub: true, named: /baud|connect/ },
  { name: "digest queries", op: OPS.SPI_FLASH_MD5, nth: 1, arm: "connected", kind: "flash", stub: true, named: /SPI_FLASH_MD5 at 0x00100000/ },
  { name: "write begin", op: OPS.FLASH_DEFL_BEGIN, nth: 1, arm: "connected", kind: "flash", stub: true, named: /write of \d+ bytes at 0x001[0-9a-f]{5}: begin/ },
  { name: "write data block", op: OPS.FLASH_DEFL_DATA, nth: 2, arm: "connected", kind: "flash", stub: true, named: /write of \d+ bytes at 0x001[0-9a-f]{5}: block \d+\/\d+ at 0x001[0-9a-f]{5}/ },
  { name: "write end", op: OPS.FLASH_DEFL_END, nth: 1, arm: "connected", kind: "flash", stub: true, named: /write of \d+ bytes at 0x001[0-9a-f]{5}: end/ },
  { name: "verify", op: OPS.SPI_FLASH_MD5, nth: 1, arm: "planned", kind: "flash", stub: true, named: /SPI_FLASH_MD5 at 0x001[0-9a-f]{5}/ },
  { name: "read", op: OPS.READ_FLASH, nth: 1, arm: "connected", kind: "read", stub: true, named: /READ_FLASH at 0x00100000|read of \d+ bytes at 0x00100000/ },
  // Leaving the chip: the ROM's soft reset (FLASH_END(1), "run user code") is the one `--after` mode
  // that sends a command; the stub's modes only drive the reset lines or send nothing.
  { name: "reset-after", op: OPS.FLASH_END, nth: 1, arm: "flashed", kind: "finish", stub: false, romOnly: true, named: /soft reset|finish/ },
];

/** One fault kind, as a rule for a phase. */
export interface Fault {
  readonly name: string;
  readonly rule: (phase: Phase) => FaultRule;
}

/** Byte 8 is the first byte after the 8-byte header: a status or payload byte of a reply, a size or address byte of a request. */
const BODY_BYTE = 8;

export const FAULTS: readonly Fault[] = [
  { name: "dropped reply", rule: (p) => ({ kind: "drop-response", op: p.op, nth: p.nth }) },
  { name: "corrupt reply byte", rule: (p) => ({ kind: "corrupt-response", op: p.op, nth: p.nth, byteIndex: BODY_BYTE }) },
  { name: "corrupt request byte", rule: (p) => ({ kind: "corrupt-request", op: p.op, nth: p.nth, byteIndex: BODY_BYTE }) },
  { name: "reply never comes", rule: (p) => ({ kind: "hang", op: p.op, nth: p.nth }) },
  { name: "link closes", rule: (p) => ({ kind: "disconnect", op: p.op, nth: p.nth }) },
  { name: "chip resets (power loss)", rule: (p) => ({ kind: "power-loss", op: p.op, nth: p.nth }) },
  // ROM: "result wrong" (0x06); stub: FAILED_SPI_OP (0xC4), PROTOCOL.md §1.5.
  { name: "error status", rule: (p) => ({ kind: "error-status", op: p.op, nth: p.nth, status: p.stub ? 0xc4 : 0x06 }) },
];

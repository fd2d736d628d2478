/**
 * One measured session on the QEMU rig: the chip is given the scenario's start content (QEMU
 * restarted with it when its flash holds anything else, since QEMU reads its flash file only at
 * start-up), the rig sends `system_reset` and waits for the ROM, the command runs as a child
 * process through the counting proxy and is timed from spawn to exit, and afterwards the flash must
 * hold the target — otherwise the figure is marked invalid.
 */
import { differingSectors, type Placed } from "../../qemu/firmware-images.js";
import type { QemuRig, Session, SessionOptions } from "../../qemu/qemu-rig.js";
import { sectorsCovered, type WireCounts } from "../../qemu/wire-tally.js";

/** Generous: a full 1.7 MiB write takes well under a minute here, several on a very busy host. */
export const SESSION_TIMEOUT_MS = 300_000;

/** A command for the rig: the rig appends the port and the connection options. */
export interface SessionSpec {
  readonly label: string;
  readonly command: readonly string[];
  readonly options: SessionOptions;
}

/** What the counting proxy saw during one session. */
export interface WireFigures {
  /** Raw bytes host → chip (SLIP framed) and back. */
  readonly toChipBytes: number;
  readonly fromChipBytes: number;
  /** 4 KiB sectors covered by FLASH_BEGIN / FLASH_DEFL_BEGIN (each counted once). */
  readonly sectorsWritten: number;
  /** Flash bytes those begins announced (uncompressed, repeats included). */
  readonly flashBytesBegun: number;
  /** 4 KiB sectors covered by ERASE_REGION. */
  readonly sectorsErased: number;
  readonly connections: number;
}

/** Nothing crossed the wire (a run that could not start). */
export const NO_WIRE: WireFigures = { toChipBytes: 0, fromChipBytes: 0, sectorsWritten: 0, flashBytesBegun: 0, sectorsErased: 0, connections: 0 };

/** A timed session and whether its figure counts. */
export interface TimedSession {
  readonly seconds: number;
  readonly session: Session;
  readonly wire: WireFigures;
  /** Exit 0 and the flash holds the target afterwards. */
  readonly valid: boolean;
  /** Why not valid. */
  readonly error?: string;
}

/** The proxy's counts in the report's terms. */
export function wireFigures(c: WireCounts): WireFigures {
  return {
    toChipBytes: c.hostToChipBytes,
    fromChipBytes: c.chipToHostBytes,
    sectorsWritten: sectorsCovered(c.begins).length,
    flashBytesBegun: c.begins.reduce((n, b) => n + b.sizeBytes, 0),
    sectorsErased: sectorsCovered(c.eraseRegions).length,
    connections: c.connections,
  };
}

/**
 * Makes the chip's flash `flash`. QEMU's flash file follows every write the chip makes, so when it
 * already holds `flash` nothing is done; otherwise QEMU is restarted with it.
 */
export async function loadFlash(rig: QemuRig, flash: Buffer): Promise<void> {
  if (!rig.qemu.readFlash().equals(flash)) await rig.qemu.restart(flash);
}

/** The last non-empty line of a process's output (its summary, or its JSON result). */
export function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return (lines[lines.length - 1] ?? "").trim();
}

/** Why `session` does not count, or undefined when it does. */
function failure(rig: QemuRig, session: Session, target: readonly Placed[]): string | undefined {
  if (session.timedOut) return `timed out after ${(session.durationMs / 1000).toFixed(0)} s`;
  if (session.exit !== 0) return `exit ${session.exit ?? session.signal}: ${lastLine(session.stderr) || lastLine(session.stdout)}`;
  const wrong = differingSectors(rig.qemu.readFlash(), target);
  if (wrong.length) return `flash differs from the target afterwards in ${wrong.length} sectors (first 0x${(wrong[0] as number).toString(16)})`;
  return undefined;
}

/** Loads `start`, runs `spec` and checks that the flash then holds `target`. */
export async function timedSession(rig: QemuRig, spec: SessionSpec, start: Buffer, target: readonly Placed[]): Promise<TimedSession> {
  await loadFlash(rig, start);
  const session = await rig.run(spec.label, spec.command, SESSION_TIMEOUT_MS, spec.options);
  const error = failure(rig, session, target);
  return { seconds: session.durationMs / 1000, session, wire: wireFigures(session.wire), valid: error === undefined, ...(error !== undefined && { error }) };
}

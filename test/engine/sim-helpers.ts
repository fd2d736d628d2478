/**
 * Simulator plumbing for the engine's end-to-end tests: connect the real Device to a virtual chip,
 * and read the chip's counters (what was erased and programmed, which commands, wire bytes).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openSimPort, type VirtualChip } from "../../adapters/sim/index.js";
import { connect, type ConnectOptions, type Device } from "../../src/protocol/index.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Real firmware shared beside the repository (never copied into it). */
export const FIRMWARE_DIR = path.resolve(REPO_ROOT, "../shared/firmware");
/** Whether the real firmware is available. */
export const HAS_FIRMWARE = existsSync(FIRMWARE_DIR);
/** Skip reason when it is not. */
export const NO_FIRMWARE = "real firmware (../shared/firmware beside the repository) is not present";

/** A connected device on a virtual chip, counters reset after connecting. */
export interface SimRig {
  readonly device: Device;
  readonly chip: VirtualChip;
}

const open: Device[] = [];

/** Connects to a new virtual chip (or `chip`, reusing its flash) and clears its counters. */
export async function connectSim(url = "sim:esp32?flash=4MB&seed=1", chip?: VirtualChip, options: ConnectOptions = {}): Promise<SimRig> {
  const port = openSimPort(url, chip);
  const device = await connect(port, { before: "default_reset", baudRate: 921600, ...options });
  open.push(device);
  port.chip.flash.resetCounters();
  return { device, chip: port.chip };
}

/** Closes every device opened by {@link connectSim} (call from afterEach). */
export async function closeAll(): Promise<void> {
  for (const d of open.splice(0)) await d.close().catch(() => undefined);
}

/** Addresses of the 4 KiB sectors erased (block erases expanded), sorted, without duplicates. */
export function erasedSectors(chip: VirtualChip): number[] {
  const out = new Set<number>();
  for (const e of chip.flash.log) {
    if (e.kind !== "erase-sector" && e.kind !== "erase-block") continue;
    for (let a = e.addr; a < e.addr + e.sizeBytes; a += 0x1000) out.add(a);
  }
  return [...out].sort((a, b) => a - b);
}

/** Commands whose name says they change flash (FLASH_*, ERASE_*). */
export function flashCommands(chip: VirtualChip): Record<string, number> {
  return Object.fromEntries(Object.entries(chip.flash.counters.commands).filter(([name]) => /^(FLASH_|ERASE_)/.test(name)));
}

/**
 * Sector addresses (over the target `b`) where a chip holding `a` at `addr`, erased elsewhere,
 * differs from `b`. Both padded to sectors.
 */
export function sectorDiff(addr: number, a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  const blank = new Uint8Array(0x1000).fill(0xff);
  for (let o = 0; o < b.length; o += 0x1000) {
    const x = o < a.length ? a.subarray(o, o + 0x1000) : blank;
    if (Buffer.compare(x, b.subarray(o, o + 0x1000)) !== 0) out.push(addr + o);
  }
  return out;
}

/** `data` padded with 0xFF to whole sectors (computed here, not by the code under test). */
export function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 0x1000) * 0x1000).fill(0xff);
  out.set(data);
  return out;
}

/**
 * Plumbing shared by the reliability tests: a virtual chip whose whole flash holds seeded bytes (so
 * any stray erase or write shows), short timeouts so every failure path ends quickly, and the checks
 * over the whole flash (what changed, and where).
 */
import { createVirtualChip, openSimPort, type VirtualChip } from "../../adapters/sim/index.js";
import type { FaultRule } from "../../adapters/sim/faults.js";
import { connect, type ConnectOptions, type Device } from "../../src/protocol/index.js";
import { seededBytes } from "../engine/helpers.js";

export const SECTOR = 0x1000;
export const FLASH_BYTES = 0x200000;

/**
 * Timeouts short enough that a lost reply costs about a second, long enough for the in-process
 * simulator (it answers in microseconds) on a loaded machine: the fault matrix runs 70 cells at once
 * next to other test files, and a reply the host gives up on just before it arrives turns into a
 * fault of its own. Bounded time is proven by the tests finishing.
 */
export const FAST_TIMEOUTS = {
  defaultMs: 1000,
  minMs: 1000,
  md5MsPerMb: 100,
  sectorEraseMs: 5,
  blockEraseMs: 10,
  pageProgramMs: 0.05,
  baudProbeMs: 500,
  chipEraseMinMs: 2000,
} as const;

/** Connect options of every reliability test. */
export const FAST_CONNECT: ConnectOptions = { before: "default_reset", baudRate: 921600, connectAttempts: 3, timeouts: FAST_TIMEOUTS };

/** A 2 MiB ESP32-C3 whose flash is seeded noise everywhere (no 0xFF runs to hide a stray erase). */
export function noisyChip(seed: number, faults: FaultRule[] = []): VirtualChip {
  const chip = createVirtualChip({ chip: "esp32c3", flashSizeBytes: FLASH_BYTES, seed, faults });
  chip.flash.bytes.set(seededBytes(seed + 1000, FLASH_BYTES));
  return chip;
}

/** Connects to `chip` through a fresh in-process port. */
export async function connectTo(chip: VirtualChip, options: ConnectOptions = FAST_CONNECT): Promise<Device> {
  return connect(openSimPort({ chip: "esp32c3", flashSizeBytes: FLASH_BYTES }, chip), options);
}

/** Start addresses of the 4 KiB sectors where `a` and `b` (same length, same base `addr`) differ. */
export function differingSectors(addr: number, a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let o = 0; o < b.length; o += SECTOR) {
    if (Buffer.compare(a.subarray(o, o + SECTOR), b.subarray(o, o + SECTOR)) !== 0) out.push(addr + o);
  }
  return out;
}

/** Bytes of `after` that differ from `before` outside the sectors in `allowed` (sector start addresses). */
export function bytesChangedOutside(before: Uint8Array, after: Uint8Array, allowed: ReadonlySet<number>): number {
  let changed = 0;
  for (let s = 0; s < before.length; s += SECTOR) {
    if (allowed.has(s)) continue;
    const a = before.subarray(s, s + SECTOR);
    const b = after.subarray(s, s + SECTOR);
    if (Buffer.compare(a, b) === 0) continue;
    for (let i = 0; i < SECTOR; i++) if (a[i] !== b[i]) changed++;
  }
  return changed;
}

/** Addresses of the sectors the chip erased (block erases expanded), sorted, no duplicates. */
export function erasedSectors(chip: VirtualChip): number[] {
  const out = new Set<number>();
  for (const e of chip.flash.log) {
    if (e.kind !== "erase-sector" && e.kind !== "erase-block") continue;
    for (let a = e.addr; a < e.addr + e.sizeBytes; a += SECTOR) out.add(a);
  }
  return [...out].sort((x, y) => x - y);
}

/** Commands that change flash (FLASH_*, ERASE_*) the chip received, by name. */
export function flashChangingCommands(chip: VirtualChip): Record<string, number> {
  return Object.fromEntries(Object.entries(chip.flash.counters.commands).filter(([name]) => /^(FLASH_(?!ID)|ERASE_)/.test(name)));
}

/**
 * The floor of one scenario on QEMU, measured: what a flasher that knew exactly which sectors
 * differ would still spend, in the same units as the strategies' whole-command wall times.
 *
 *   floor = start-up   node starting the espsync CLI and exiting (`espsync --version`, startup.ts)
 *         + connect    opening the port, ROM sync, chip description, the rate switch (the ESP32's
 *                      ROM switches to 921600 before the stub runs), SPI attach, flash id: ready
 *         + stub       uploading the flasher stub (the first read minus an identical second one)
 *         + digest     one SPI_FLASH_MD5 per target image over its whole region, through the stub
 *         + write      only the differing sectors: per run of them a compressed write as the stub
 *                      takes it (deflated before connecting), or an erase where the target is 0xFF
 *
 * The pieces after start-up are timed in one child process (floor-child.ts) around espsync's
 * library calls; they run one after another, so the floor is their sum.
 */
import type { Placed } from "../../qemu/firmware-images.js";
import { SECTOR_BYTES } from "../../qemu/wire-tally.js";

/** What floor-child.ts is given (as a JSON file). */
export interface FloorJob {
  /** The target images; each is padded with 0xFF to whole sectors, as the flash holds it once written. */
  readonly target: readonly { readonly addr: number; readonly file: string }[];
  /** Addresses of the sectors where the start content differs from the target, ascending. */
  readonly differing: readonly number[];
}

/** What floor-child.ts measured, milliseconds (printed as one JSON line). */
export interface FloorTimes {
  readonly connectMs: number;
  /** The first 4-byte read: stub upload plus the read itself. */
  readonly firstReadMs: number;
  /** The same read again, stub running: subtracted from the first to leave the upload. */
  readonly secondReadMs: number;
  readonly digestMs: number;
  readonly writeMs: number;
  /** Compressed bytes sent for the written runs. */
  readonly payloadBytes: number;
  readonly writtenSectors: number;
  readonly erasedSectors: number;
}

/** The floor and its pieces, seconds. */
export interface QemuFloor {
  readonly timeS: number;
  readonly startupS: number;
  readonly connectS: number;
  readonly stubS: number;
  readonly digestS: number;
  readonly writeS: number;
  readonly differingSectors: number;
  readonly writtenSectors: number;
  readonly erasedSectors: number;
  readonly payloadBytes: number;
}

/** One write or erase of the floor. */
export interface FloorWrite {
  readonly addr: number;
  readonly data: Uint8Array;
  /** The target is all 0xFF: an erase is all it takes. */
  readonly eraseOnly: boolean;
}

function sectorOf(target: readonly Placed[], addr: number): Uint8Array {
  const p = target.find((x) => addr >= x.addr && addr < x.addr + x.bytes.length);
  if (p === undefined) throw new Error(`sector 0x${addr.toString(16)} is in no target image`);
  return p.bytes.subarray(addr - p.addr, addr - p.addr + SECTOR_BYTES);
}

/** Runs of consecutive differing sectors, split where the target turns to or from all-0xFF. */
export function floorWrites(target: readonly Placed[], differing: readonly number[]): FloorWrite[] {
  const runs: { addr: number; sectors: Uint8Array[]; eraseOnly: boolean }[] = [];
  for (const addr of differing) {
    const bytes = sectorOf(target, addr);
    const eraseOnly = bytes.every((b) => b === 0xff);
    const last = runs[runs.length - 1];
    if (last && last.addr + last.sectors.length * SECTOR_BYTES === addr && last.eraseOnly === eraseOnly) last.sectors.push(bytes);
    else runs.push({ addr, sectors: [bytes], eraseOnly });
  }
  return runs.map((r) => ({ addr: r.addr, data: Buffer.concat(r.sectors), eraseOnly: r.eraseOnly }));
}

/** The floor from the start-up time and the child's measurements. */
export function composeFloor(startupS: number, t: FloorTimes, differingSectors: number): QemuFloor {
  const connectS = t.connectMs / 1000;
  const stubS = Math.max(0, t.firstReadMs - t.secondReadMs) / 1000;
  const digestS = t.digestMs / 1000;
  const writeS = t.writeMs / 1000;
  return {
    timeS: startupS + connectS + stubS + digestS + writeS,
    startupS,
    connectS,
    stubS,
    digestS,
    writeS,
    differingSectors,
    writtenSectors: t.writtenSectors,
    erasedSectors: t.erasedSectors,
    payloadBytes: t.payloadBytes,
  };
}

/** One line naming the pieces, for the report. */
export function describeFloor(f: QemuFloor): string {
  const s = (x: number): string => x.toFixed(2);
  return `start-up ${s(f.startupS)} + connect ${s(f.connectS)} + stub ${s(f.stubS)} + digest ${s(f.digestS)} + write ${s(f.writeS)} (${f.writtenSectors} sectors written, ${f.erasedSectors} erased)`;
}

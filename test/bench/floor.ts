/**
 * The physical floor of one scenario on one link profile: what any flasher must at least spend under
 * the simulator's timing model. Computed from the profile's numbers, not by running anything except
 * the connect, whose virtual time is measured (see `measureConnectS`).
 *
 * floor = connect (ROM sync + stub upload + baud change)
 *       + one on-chip digest pass over the target bytes (the image files, padded to 4 bytes)
 *       + max(wire time of the differing sectors deflated as runs, their erase + program time)
 *
 * Wire and flash work are overlapped (max, not sum) because the modelled stub acknowledges a data
 * packet before programming it, so a long write costs about the larger of the two; a plain sum would
 * not be a lower bound. Erase per 64 KiB block is the cheaper of one block erase and the differing
 * sectors' erases. Sectors whose target is all 0xFF need only their erase.
 */
import { deflateSync } from "node:zlib";
import type { TimingProfile } from "../../adapters/sim/timing.js";
import { BLOCK_SIZE_BYTES, PAGE_SIZE_BYTES, SECTOR_SIZE_BYTES, isErased } from "../../src/util/sectors.js";

/** A target range and the bytes it should hold. */
export interface FloorRegion {
  readonly addr: number;
  /** Target bytes, padded with 0xFF to whole sectors. */
  readonly data: Uint8Array;
  /** Length of the image file before padding (default: all of `data`). */
  readonly fileSizeBytes?: number;
}

/** The floor and its parts, seconds and bytes. */
export interface Floor {
  readonly timeS: number;
  readonly connectS: number;
  readonly digestS: number;
  readonly wireS: number;
  readonly eraseS: number;
  readonly programS: number;
  /** connect + digest + wire + erase + program, for comparison (not a lower bound). */
  readonly serialSumS: number;
  /** Bytes of the target regions (sector padded). */
  readonly targetBytes: number;
  /** Bytes the digest pass reads (image files padded to 4). */
  readonly digestBytes: number;
  readonly differingSectors: number;
  /** Differing sectors whose target is all 0xFF (erase only). */
  readonly erasedSectors: number;
  /** Deflated bytes of the differing sectors (raw where deflate does not shrink a run). */
  readonly payloadBytes: number;
}

/** Seconds `bytes` occupy the link (8N1 at `baud` on a UART bridge; fixed rate on USB). */
export function wireTimeS(profile: TimingProfile, bytes: number, baud: number): number {
  return profile.link === "uart" ? (bytes * 10) / baud : bytes / profile.usbBytesPerS;
}

/** Differing sector addresses of `regions` against `flash` (absolute addresses). */
export function differingSectors(flash: Uint8Array, regions: readonly FloorRegion[]): number[] {
  const out: number[] = [];
  for (const r of regions) {
    for (let off = 0; off < r.data.length; off += SECTOR_SIZE_BYTES) {
      const want = r.data.subarray(off, off + SECTOR_SIZE_BYTES);
      const have = flash.subarray(r.addr + off, r.addr + off + want.length);
      if (Buffer.compare(want, have) !== 0) out.push(r.addr + off);
    }
  }
  return out;
}

function sectorBytes(regions: readonly FloorRegion[], addr: number): Uint8Array {
  const r = regions.find((x) => addr >= x.addr && addr < x.addr + x.data.length) as FloorRegion;
  return r.data.subarray(addr - r.addr, addr - r.addr + SECTOR_SIZE_BYTES);
}

/** Runs of consecutive addresses among `sectors` (sorted), as [start, count]. */
function runsOf(sectors: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const s of sectors) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] * SECTOR_SIZE_BYTES === s) last[1]++;
    else runs.push([s, 1]);
  }
  return runs;
}

/**
 * The floor of writing `regions` over `flash` (the starting contents) on `profile` at `baud`, with
 * `connectS` the measured virtual time of a connect alone.
 */
export function computeFloor(profile: TimingProfile, baud: number, connectS: number, flash: Uint8Array, regions: readonly FloorRegion[]): Floor {
  const targetBytes = regions.reduce((n, r) => n + r.data.length, 0);
  // Any flasher must have the chip read the image bytes once; the sector padding is not the image's.
  const digestBytes = regions.reduce((n, r) => n + Math.ceil((r.fileSizeBytes ?? r.data.length) / 4) * 4, 0);
  const differing = differingSectors(flash, regions);
  const erasedOnly = new Set(differing.filter((a) => isErased(sectorBytes(regions, a))));
  const toWrite = differing.filter((a) => !erasedOnly.has(a));
  let payloadBytes = 0;
  for (const [start, count] of runsOf(toWrite)) {
    const run = Buffer.concat(Array.from({ length: count }, (_, i) => sectorBytes(regions, start + i * SECTOR_SIZE_BYTES)));
    payloadBytes += Math.min(run.length, deflateSync(run, { level: 9 }).length);
  }
  const perBlock = new Map<number, number>();
  for (const a of differing) perBlock.set(Math.floor(a / BLOCK_SIZE_BYTES), (perBlock.get(Math.floor(a / BLOCK_SIZE_BYTES)) ?? 0) + 1);
  let eraseS = 0;
  for (const n of perBlock.values()) eraseS += Math.min(profile.blockEraseS, n * profile.sectorEraseS);
  const programS = toWrite.length * (SECTOR_SIZE_BYTES / PAGE_SIZE_BYTES) * profile.pageProgramS;
  const wireS = wireTimeS(profile, payloadBytes, baud);
  const digestS = digestBytes / profile.md5BytesPerS;
  return {
    timeS: connectS + digestS + Math.max(wireS, eraseS + programS),
    connectS,
    digestS,
    wireS,
    eraseS,
    programS,
    serialSumS: connectS + digestS + wireS + eraseS + programS,
    targetBytes,
    digestBytes,
    differingSectors: differing.length,
    erasedSectors: erasedOnly.size,
    payloadBytes,
  };
}

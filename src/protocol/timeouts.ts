/**
 * Command timeouts, scaled by the work the chip has to do (PROTOCOL.md §7, §10). esptool-js gives a
 * data block a flat 3 s, which real flash can exceed: a 4 KiB sector erase may take up to 400 ms,
 * a 64 KiB block erase up to 2 s, and a 16 KiB compressed block can inflate to far more than
 * 64 KiB. So each wait here is computed from the bytes it covers, plus the time on the wire.
 */

/** Timeout parameters; every field can be overridden through `ConnectOptions.timeouts`. */
export interface Timeouts {
  /** Any command without size-dependent work (esptool's default, §7). */
  readonly defaultMs: number;
  /** SPI_FLASH_MD5: per MiB hashed (§7: 8 s/MB). */
  readonly md5MsPerMb: number;
  /** Lower bound of every size-scaled timeout (§7: 3 s). */
  readonly minMs: number;
  /** Worst-case 4 KiB sector erase (§10: 400 ms). */
  readonly sectorEraseMs: number;
  /** Worst-case 64 KiB block erase (§10: 2 s). */
  readonly blockEraseMs: number;
  /** Worst-case 256-byte page program (NOR datasheets: 3 ms). */
  readonly pageProgramMs: number;
  /** Whole-chip erase per MiB of flash (W25Q128JV: 200 s for 16 MiB). */
  readonly chipEraseMsPerMb: number;
  /** Lower bound for a whole-chip erase (§7: 120 s). */
  readonly chipEraseMinMs: number;
  /** Responsiveness probe after a baud change (§3.1 step 8: 500 ms). */
  readonly baudProbeMs: number;
}

/** The defaults, from PROTOCOL.md §7 and §10. */
export const DEFAULT_TIMEOUTS: Timeouts = {
  defaultMs: 3000,
  md5MsPerMb: 8000,
  minMs: 3000,
  sectorEraseMs: 400,
  blockEraseMs: 2000,
  pageProgramMs: 3,
  chipEraseMsPerMb: 12500,
  chipEraseMinMs: 120_000,
  baudProbeMs: 500,
};

const MB = 1_000_000;
const SECTOR = 0x1000;
const BLOCK = 0x10000;
const PAGE = 0x100;

/** Defaults with the given overrides applied. */
export function resolveTimeouts(overrides: Partial<Timeouts> = {}): Timeouts {
  return { ...DEFAULT_TIMEOUTS, ...overrides };
}

/** Time to move `bytes` over a UART at `baudRate` (10 bits per byte), doubled as margin. */
export function wireTimeMs(bytes: number, baudRate: number): number {
  return Math.ceil((2 * bytes * 10 * 1000) / baudRate);
}

/** SPI_FLASH_MD5 of `sizeBytes`: 8 s/MB, at least 3 s. */
export function md5TimeoutMs(t: Timeouts, sizeBytes: number): number {
  return Math.max(t.minMs, Math.ceil((t.md5MsPerMb * sizeBytes) / MB));
}

/**
 * Worst-case time to erase `[addr, addr + sizeBytes)`: whole aligned 64 KiB blocks at the block
 * rate, the sectors around them at the sector rate (what the stub and the ROM do), plus the
 * default timeout as a floor for the round trip.
 */
export function eraseTimeoutMs(t: Timeouts, addr: number, sizeBytes: number): number {
  if (sizeBytes <= 0) return t.defaultMs;
  const start = Math.floor(addr / SECTOR) * SECTOR;
  const end = Math.ceil((addr + sizeBytes) / SECTOR) * SECTOR;
  const blockStart = Math.ceil(start / BLOCK) * BLOCK;
  const blockEnd = Math.floor(end / BLOCK) * BLOCK;
  const blocks = blockEnd > blockStart ? (blockEnd - blockStart) / BLOCK : 0;
  const sectors = (end - start - blocks * BLOCK) / SECTOR;
  return t.defaultMs + blocks * t.blockEraseMs + sectors * t.sectorEraseMs;
}

/** Work one data block makes the chip do: flash range it erases/programs. */
export interface BlockWork {
  /** Absolute flash address where the block's (uncompressed) data starts. */
  readonly addr: number;
  /** Uncompressed bytes the block writes. */
  readonly programBytes: number;
  /** Whether the block itself erases the sectors it reaches (stub: yes; ROM: erased at begin). */
  readonly erases: boolean;
}

/** Worst-case chip time for one block: erase of the sectors it newly reaches plus page programs. */
export function blockWorkMs(t: Timeouts, work: BlockWork): number {
  if (work.programBytes <= 0) return 0;
  const end = work.addr + work.programBytes;
  // Sectors first reached by this block: the stub erases lazily ahead of its write pointer.
  const sectors = work.erases ? Math.ceil(end / SECTOR) - Math.ceil(work.addr / SECTOR) + 1 : 0;
  const pages = Math.ceil(work.programBytes / PAGE) + 1;
  return sectors * t.sectorEraseMs + pages * t.pageProgramMs;
}

/**
 * Timeout for the acknowledgement of one data block: the default floor, the time on the wire,
 * the block's own work, and the previous block's work (the stub acknowledges a block only after
 * it finished writing the one before, PROTOCOL.md §2.2).
 */
export function blockAckTimeoutMs(t: Timeouts, wireBytes: number, baudRate: number, work: BlockWork, previous?: BlockWork): number {
  return t.defaultMs + wireTimeMs(wireBytes, baudRate) + blockWorkMs(t, work) + (previous ? blockWorkMs(t, previous) : 0);
}

/** Whole-chip erase: per MiB of flash, at least {@link Timeouts.chipEraseMinMs}. */
export function chipEraseTimeoutMs(t: Timeouts, flashSizeBytes: number): number {
  return Math.max(t.chipEraseMinMs, Math.ceil((t.chipEraseMsPerMb * flashSizeBytes) / MB));
}

/** One READ_FLASH packet (or READ_FLASH_SLOW step): wire time of the packet plus the default floor. */
export function readPacketTimeoutMs(t: Timeouts, packetBytes: number, baudRate: number): number {
  return t.defaultMs + wireTimeMs(packetBytes + 16, baudRate);
}

/**
 * What a flasher asked the chip to do, decoded from the host→chip request frames (PROTOCOL.md §1.2,
 * §2): per-opcode counts, the flash ranges each FLASH_BEGIN / FLASH_DEFL_BEGIN announced, the ranges
 * ERASE_REGION erased, ERASE_FLASH calls, and bytes each way. The tests take "how much was erased
 * and written" from here, never from espsync's own report.
 */

/** 4 KiB: the flash sector, the unit both the ROM and the stub erase (PROTOCOL.md §5.1). */
export const SECTOR_BYTES = 0x1000;

/** Request opcodes this tally names (PROTOCOL.md §2); others are counted as `0xNN`. */
export const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0x02: "FLASH_BEGIN",
  0x03: "FLASH_DATA",
  0x04: "FLASH_END",
  0x05: "MEM_BEGIN",
  0x06: "MEM_END",
  0x07: "MEM_DATA",
  0x08: "SYNC",
  0x09: "WRITE_REG",
  0x0a: "READ_REG",
  0x0b: "SPI_SET_PARAMS",
  0x0d: "SPI_ATTACH",
  0x0e: "READ_FLASH_SLOW",
  0x0f: "CHANGE_BAUDRATE",
  0x10: "FLASH_DEFL_BEGIN",
  0x11: "FLASH_DEFL_DATA",
  0x12: "FLASH_DEFL_END",
  0x13: "SPI_FLASH_MD5",
  0x14: "GET_SECURITY_INFO",
  0xd0: "ERASE_FLASH",
  0xd1: "ERASE_REGION",
  0xd2: "READ_FLASH",
  0xd3: "RUN_USER_CODE",
};

/** A flash range announced on the wire. */
export interface WireRange {
  readonly op: string;
  readonly offset: number;
  readonly sizeBytes: number;
}

/** Everything counted so far (a snapshot: later traffic does not change it). */
export interface WireCounts {
  /** Request frames per opcode name. */
  readonly ops: Readonly<Record<string, number>>;
  /** FLASH_BEGIN / FLASH_DEFL_BEGIN ranges: [offset, offset + size) — stub: exact size; ROM: erase size. */
  readonly begins: readonly WireRange[];
  /** ERASE_REGION ranges. */
  readonly eraseRegions: readonly WireRange[];
  /** ERASE_FLASH requests (the whole chip). */
  readonly eraseFlash: number;
  /** Frames from the host that are not requests (READ_FLASH acknowledgements: 4 bytes, no header). */
  readonly otherFrames: number;
  readonly hostToChipBytes: number;
  readonly chipToHostBytes: number;
  /** TCP connections the flasher opened through the counter. */
  readonly connections: number;
}

const u32 = (frame: Uint8Array, at: number): number => new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(at, true);

/** Sector addresses covered by `ranges` (each 4 KiB sector touched once), ascending. */
export function sectorsCovered(ranges: readonly WireRange[]): number[] {
  const out = new Set<number>();
  for (const r of ranges) {
    const end = r.offset + r.sizeBytes;
    for (let a = Math.floor(r.offset / SECTOR_BYTES) * SECTOR_BYTES; a < end; a += SECTOR_BYTES) out.add(a);
  }
  return [...out].sort((a, b) => a - b);
}

/** Sectors announced for writing (with repeats: a sector begun twice counts twice). */
export function sectorWrites(counts: WireCounts): number {
  return counts.begins.reduce((n, r) => n + sectorsCovered([r]).length, 0);
}

/** Mutable accumulator behind {@link WireCounts}. */
export class WireTally {
  private readonly ops: Record<string, number> = {};
  private readonly begins: WireRange[] = [];
  private readonly eraseRegions: WireRange[] = [];
  private eraseFlash = 0;
  private otherFrames = 0;
  hostToChipBytes = 0;
  chipToHostBytes = 0;
  connections = 0;

  /** Records one unescaped host→chip frame. */
  addFrame(frame: Uint8Array): void {
    // A request: direction 0, opcode, u16 size that matches the data that follows the 8-byte header.
    const isRequest = frame.length >= 8 && frame[0] === 0x00 && ((frame[2] as number) | ((frame[3] as number) << 8)) === frame.length - 8;
    if (!isRequest) {
      this.otherFrames++;
      return;
    }
    const opcode = frame[1] as number;
    const name = OPCODE_NAMES[opcode] ?? `0x${opcode.toString(16).padStart(2, "0")}`;
    this.ops[name] = (this.ops[name] ?? 0) + 1;
    const data = frame.subarray(8);
    if ((name === "FLASH_BEGIN" || name === "FLASH_DEFL_BEGIN") && data.length >= 16) {
      // Words: size, number of blocks, block size, offset [, encrypted].
      this.begins.push({ op: name, offset: u32(data, 12), sizeBytes: u32(data, 0) });
    } else if (name === "ERASE_REGION" && data.length >= 8) {
      this.eraseRegions.push({ op: name, offset: u32(data, 0), sizeBytes: u32(data, 4) });
    } else if (name === "ERASE_FLASH") {
      this.eraseFlash++;
    }
  }

  /** A copy of the counts so far. */
  snapshot(): WireCounts {
    return {
      ops: { ...this.ops },
      begins: [...this.begins],
      eraseRegions: [...this.eraseRegions],
      eraseFlash: this.eraseFlash,
      otherFrames: this.otherFrames,
      hostToChipBytes: this.hostToChipBytes,
      chipToHostBytes: this.chipToHostBytes,
      connections: this.connections,
    };
  }
}

/** One line for the test log: sectors written and erased as counted on the wire, and bytes each way. */
export function formatWire(counts: WireCounts): string {
  const written = sectorsCovered(counts.begins).length;
  const erased = sectorsCovered(counts.eraseRegions).length;
  const ops = Object.entries(counts.ops)
    .map(([name, n]) => `${name}×${n}`)
    .join(" ");
  return (
    `${written} sectors written (${sectorWrites(counts)} with repeats, ${counts.begins.filter((b) => b.sizeBytes > 0).length} begins), ` +
    `${erased} sectors erased by ERASE_REGION, ERASE_FLASH×${counts.eraseFlash}, ` +
    `host→chip ${counts.hostToChipBytes} B, chip→host ${counts.chipToHostBytes} B, ${counts.connections} connection(s); ${ops}`
  );
}

/**
 * NOR flash model (PROTOCOL.md §5.1): erased bytes read 0xFF, programming can only clear bits (the
 * result is `old & new`, so writing without erasing behaves like silicon), erase works on 4 KiB
 * sectors and 64 KiB blocks. It counts everything the tests need to prove minimality and keeps an
 * operation log.
 */
import { createHash } from "node:crypto";
import { EspsyncError, hex32 } from "../../src/errors.js";
import { PROTO } from "./protocol-constants.js";

/** One entry of the flash operation log. */
export interface FlashLogEntry {
  readonly kind: "erase-sector" | "erase-block" | "program" | "command";
  /** Flash address (0 for commands without one). */
  readonly addr: number;
  /** Bytes affected (erase extent, bytes programmed, or command payload size). */
  readonly sizeBytes: number;
  /** Opcode name, for `command` entries. */
  readonly op?: string;
}

/** Counters of everything that touched the flash or crossed the wire. */
export interface FlashCounters {
  sectorsErased: number;
  blocksErased: number;
  bytesProgrammed: number;
  /** Commands received, by opcode name (e.g. `FLASH_DEFL_DATA`). */
  commands: Record<string, number>;
  /** Raw bytes received from the host (SLIP-encoded, as on the wire). */
  bytesFromHost: number;
  /** Raw bytes sent to the host. */
  bytesToHost: number;
}

/** Flash sizes the simulator supports: 2 to 16 MiB, powers of two. */
export const FLASH_SIZES_BYTES = [0x200000, 0x400000, 0x800000, 0x1000000] as const;

/** Throws `USAGE` unless `sizeBytes` is one of {@link FLASH_SIZES_BYTES}. */
export function checkFlashSize(sizeBytes: number): void {
  if (!(FLASH_SIZES_BYTES as readonly number[]).includes(sizeBytes)) {
    throw new EspsyncError("USAGE", `unsupported simulated flash size ${sizeBytes} bytes`, {
      hint: "Use one of 2MB, 4MB, 8MB or 16MB.",
    });
  }
}

function zeroCounters(): FlashCounters {
  return { sectorsErased: 0, blocksErased: 0, bytesProgrammed: 0, commands: {}, bytesFromHost: 0, bytesToHost: 0 };
}

/** The flash chip: bytes, counters and log. */
export class FlashModel {
  /** The raw contents; tests may read it directly. */
  readonly bytes: Uint8Array;
  /** Counters since creation or the last {@link resetCounters}. */
  counters: FlashCounters = zeroCounters();
  /** Operations since creation or the last {@link resetCounters}. */
  log: FlashLogEntry[] = [];
  /** Called after every change to the contents (used for persistence). */
  onChange: (() => void) | undefined;

  constructor(readonly sizeBytes: number) {
    checkFlashSize(sizeBytes);
    this.bytes = new Uint8Array(sizeBytes).fill(0xff);
  }

  /** Clears counters and log (contents stay). */
  resetCounters(): void {
    this.counters = zeroCounters();
    this.log = [];
  }

  /** True when `[addr, addr+len)` lies inside the flash. */
  inRange(addr: number, len: number): boolean {
    return addr >= 0 && len >= 0 && addr + len <= this.sizeBytes;
  }

  /** Erases the 4 KiB sector containing `addr`. */
  eraseSector(addr: number): void {
    const start = addr - (addr % PROTO.SECTOR_BYTES);
    this.requireRange(start, PROTO.SECTOR_BYTES, "erase sector");
    this.bytes.fill(0xff, start, start + PROTO.SECTOR_BYTES);
    this.counters.sectorsErased++;
    this.log.push({ kind: "erase-sector", addr: start, sizeBytes: PROTO.SECTOR_BYTES });
    this.onChange?.();
  }

  /** Erases the 64 KiB block containing `addr`. */
  eraseBlock(addr: number): void {
    const start = addr - (addr % PROTO.BLOCK_BYTES);
    this.requireRange(start, PROTO.BLOCK_BYTES, "erase block");
    this.bytes.fill(0xff, start, start + PROTO.BLOCK_BYTES);
    this.counters.blocksErased++;
    this.log.push({ kind: "erase-block", addr: start, sizeBytes: PROTO.BLOCK_BYTES });
    this.onChange?.();
  }

  /** Programs bytes: each byte becomes `old & new`. Returns true when the result equals `data`. */
  program(addr: number, data: Uint8Array): boolean {
    this.requireRange(addr, data.length, "program");
    let exact = true;
    for (let i = 0; i < data.length; i++) {
      const v = (this.bytes[addr + i] as number) & (data[i] as number);
      this.bytes[addr + i] = v;
      if (v !== data[i]) exact = false;
    }
    this.counters.bytesProgrammed += data.length;
    this.log.push({ kind: "program", addr, sizeBytes: data.length });
    this.onChange?.();
    return exact;
  }

  /** Copy of `[addr, addr+len)`. */
  read(addr: number, len: number): Uint8Array {
    this.requireRange(addr, len, "read");
    return this.bytes.slice(addr, addr + len);
  }

  /** MD5 of `[addr, addr+len)`; `transform` (e.g. the encryption model) sees the bytes first. */
  digest(addr: number, len: number, transform?: (data: Uint8Array, addr: number) => Uint8Array): Uint8Array {
    const data = this.bytes.subarray(addr, addr + len);
    this.requireRange(addr, len, "digest");
    return new Uint8Array(createHash("md5").update(transform ? transform(data, addr) : data).digest());
  }

  /** Records a received command in the counters and the log. */
  noteCommand(op: string, sizeBytes: number, addr = 0): void {
    this.counters.commands[op] = (this.counters.commands[op] ?? 0) + 1;
    this.log.push({ kind: "command", addr, sizeBytes, op });
  }

  private requireRange(addr: number, len: number, what: string): void {
    if (!this.inRange(addr, len)) {
      throw new EspsyncError("LAYOUT_OUT_OF_RANGE", `simulated flash ${what} at ${hex32(addr)} (+${len}) is outside the ${this.sizeBytes}-byte flash`, {
        hint: "Keep addresses below the flash size.",
      });
    }
  }
}

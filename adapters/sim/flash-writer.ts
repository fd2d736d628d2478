/**
 * A write session of FLASH_BEGIN / FLASH_DEFL_BEGIN: plain or inflated bytes go to the flash at a
 * moving write pointer, clipped to the announced size. The stub erases lazily just ahead of the
 * pointer (4 KiB sectors, or 64 KiB blocks when aligned and at least 64 KiB of the extent remain,
 * PROTOCOL.md §2.2); the ROM erased everything at BEGIN already.
 */
import type { FlashModel } from "./flash-model.js";
import { IncrementalInflate, InflateError } from "./inflate.js";
import type { FlashWork } from "./loader-context.js";
import { PROTO } from "./protocol-constants.js";

/** Failure of a write step; `kind` is mapped to a ROM error byte or stub code by the caller. */
export class FlashWriteError extends Error {
  /**
   * `spi`: the flash refused the address (outside the chip); `stall`: the write ran past the
   * announced erase extent, where the real stub loops forever waiting for an erase it never starts.
   */
  constructor(readonly kind: "inflate" | "too-much-data" | "verify" | "spi" | "stall") {
    super(kind);
  }
}

/** Erases `[start, end)` (both 4 KiB aligned) the way the stub does: blocks where possible. */
export function eraseExtent(flash: FlashModel, start: number, end: number): FlashWork {
  const work = { sectors: 0, blocks: 0 };
  let at = start;
  while (at < end) {
    if (at % PROTO.BLOCK_BYTES === 0 && end - at >= PROTO.BLOCK_BYTES) {
      flash.eraseBlock(at);
      work.blocks++;
      at += PROTO.BLOCK_BYTES;
    } else {
      flash.eraseSector(at);
      work.sectors++;
      at += PROTO.SECTOR_BYTES;
    }
  }
  return work;
}

/**
 * What happens to inflated bytes beyond the announced size: `clip` drops them and reports
 * too-much-data (ROM); `keep` writes them — esp-flasher-stub subtracts each write from an unsigned
 * "remaining" that wraps, so the session can never end cleanly (observed on the real stub: the excess
 * lands in flash and FLASH_DEFL_END answers BAD_DATA_LEN).
 */
export type DeflateOverflow = "clip" | "keep";

/** One FLASH_BEGIN..END or FLASH_DEFL_BEGIN..END session. */
export class FlashWriteSession {
  private writePos: number;
  private erasedTo: number;
  private readonly eraseLimit: number;
  private readonly end: number;
  private readonly inflater: IncrementalInflate | undefined;

  constructor(
    private readonly flash: FlashModel,
    readonly offset: number,
    readonly sizeBytes: number,
    readonly compressed: boolean,
    /** `lazy`: erase ahead of the pointer (stub); `done`: already erased (ROM). */
    eraseMode: "lazy" | "done",
    private readonly overflow: DeflateOverflow = "clip",
  ) {
    this.writePos = offset;
    this.end = offset + sizeBytes;
    this.eraseLimit = Math.ceil(this.end / PROTO.SECTOR_BYTES) * PROTO.SECTOR_BYTES;
    this.erasedTo = eraseMode === "done" ? this.eraseLimit : offset - (offset % PROTO.SECTOR_BYTES);
    this.inflater = compressed ? new IncrementalInflate() : undefined;
  }

  /** Announced bytes not written yet (negative once a `keep` session wrote more than announced). */
  get remainingBytes(): number {
    return this.end - this.writePos;
  }

  /**
   * Erases the first erase unit of the extent now, as the stub's FLASH_BEGIN starts it (a sector,
   * or a 64 KiB block when aligned and large enough). Throws `spi` when that unit is outside the
   * flash: the real stub answers FLASH_BEGIN with FAILED_SPI_OP then (observed on QEMU).
   */
  eraseFirst(): FlashWork {
    if (this.erasedTo >= this.eraseLimit) return { sectors: 0, blocks: 0 };
    if (!this.flash.inRange(this.erasedTo, PROTO.SECTOR_BYTES)) throw new FlashWriteError("spi");
    return this.eraseUpTo(this.erasedTo + 1);
  }

  /**
   * Writes one data packet (compressed bytes for deflate sessions). With `fraction` < 1 only that
   * share of the packet's bytes reaches the flash (power loss). `inflated`: the caller already
   * inflated `packet` (the stub keeps one inflate state across sessions), so the overflow rule of
   * compressed data applies. Returns the flash work done.
   */
  write(packet: Uint8Array, fraction = 1, inflated = false): FlashWork {
    let bytes = packet;
    if (this.inflater) {
      try {
        bytes = this.inflater.push(packet);
      } catch (e) {
        if (e instanceof InflateError) throw new FlashWriteError("inflate");
        throw e;
      }
    }
    const keep = (this.compressed || inflated) && this.overflow === "keep";
    const tooMuch = this.compressed && !keep && bytes.length > this.remainingBytes;
    // Plain packets carry 0xFF padding past the announced size: dropped, not an error (§2.2).
    if (!keep) bytes = bytes.subarray(0, Math.max(0, Math.min(bytes.length, this.remainingBytes)));
    if (fraction < 1) bytes = bytes.subarray(0, Math.floor(bytes.length * fraction));
    const work: FlashWork = { sectors: 0, blocks: 0, programBytes: 0 };
    if (bytes.length > 0) {
      if (keep && this.writePos + bytes.length > this.eraseLimit) throw new FlashWriteError("stall");
      if (!this.flash.inRange(this.writePos, bytes.length)) throw new FlashWriteError("spi");
      const erased = this.eraseUpTo(this.writePos + bytes.length);
      work.sectors = erased.sectors;
      work.blocks = erased.blocks;
      const exact = this.flash.program(this.writePos, bytes);
      work.programBytes = bytes.length;
      this.writePos += bytes.length;
      if (!exact) throw new FlashWriteError("verify");
    }
    if (tooMuch) throw new FlashWriteError("too-much-data");
    return work;
  }

  private eraseUpTo(target: number): { sectors: number; blocks: number } {
    if (this.erasedTo >= target) return { sectors: 0, blocks: 0 };
    const upTo = Math.min(this.eraseLimit, Math.ceil(target / PROTO.SECTOR_BYTES) * PROTO.SECTOR_BYTES);
    // Blocks are chosen against the whole announced extent, not just this packet.
    const work = { sectors: 0, blocks: 0 };
    while (this.erasedTo < upTo) {
      const useBlock = this.erasedTo % PROTO.BLOCK_BYTES === 0 && this.eraseLimit - this.erasedTo >= PROTO.BLOCK_BYTES;
      const step = useBlock ? PROTO.BLOCK_BYTES : PROTO.SECTOR_BYTES;
      if (useBlock) {
        this.flash.eraseBlock(this.erasedTo);
        work.blocks++;
      } else {
        this.flash.eraseSector(this.erasedTo);
        work.sectors++;
      }
      this.erasedTo += step;
    }
    return work;
  }
}

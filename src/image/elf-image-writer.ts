/**
 * Writes an application image (PROTOCOL.md §5.4) from merged segments: the header and extended
 * header, the flash-mapped segments each placed so that its data's file offset equals its address
 * modulo the MMU page (the bootloader maps whole pages, so both must agree), padding segments before
 * them — cut from the RAM segments where they fit, as esptool and espflash do, else zero-filled with
 * load address 0 — then the rest of the RAM segments, the checksum byte and the SHA-256 digest.
 */
import { createHash } from "node:crypto";
import { EspsyncError } from "../errors.js";
import { ESP_IMAGE_MAGIC, IMAGE_HEADER_BYTES, MAX_SEGMENTS } from "./esp-image.js";
import type { ImageSegment } from "./elf-segments.js";

/** Segment header: load address u32, length u32. */
const SEGMENT_HEADER_BYTES = 8;
const CHECKSUM_SEED = 0xef;
/** "No write-protect pin" in the extended header (esptool's WP_PIN_DISABLED). */
const WP_PIN_DISABLED = 0xee;
/**
 * The ESP32's second-stage bootloader once failed to map the last MMU page of a flash segment that
 * ended less than 0x24 bytes past a page boundary; esptool pads such ESP32 segments, so do we.
 */
const ESP32_LAST_PAGE_MIN_BYTES = 0x24;

/** The header fields of the image (PROTOCOL.md §5.4). */
export interface AppHeaderFields {
  readonly chipId: number;
  readonly entry: number;
  /** Header byte 2. */
  readonly flashMode: number;
  /** Header byte 3: size code in the high nibble, frequency code in the low one. */
  readonly flashSizeFreq: number;
  /** Legacy minimum revision byte. */
  readonly minRev: number;
  readonly minRevFull: number;
  readonly maxRevFull: number;
}

/** How to lay the segments out. */
export interface AppLayout {
  /** Flash-mapped segments in image order (the app description's first). */
  readonly flash: readonly ImageSegment[];
  /** RAM segments, sorted by address. */
  readonly ram: readonly ImageSegment[];
  readonly mmuPageBytes: number;
  /** Apply the ESP32 bootloader's last-page workaround. */
  readonly esp32LastPagePadding: boolean;
}

/** One segment as written, for reporting. */
export interface WrittenSegment {
  readonly addr: number;
  readonly sizeBytes: number;
  /** File offset of its data. */
  readonly fileOffset: number;
  readonly kind: "flash" | "ram" | "padding";
}

/** Result of {@link writeAppImage}. */
export interface WrittenImage {
  readonly bytes: Uint8Array;
  readonly segments: readonly WrittenSegment[];
}

/**
 * Bytes of padding segment data needed at file offset `pos` so that, after the padding segment's
 * header and the next segment's header, the data of a segment for `addr` starts at an offset equal
 * to `addr` modulo the page. A padding segment is at least its own header, so a gap smaller than that
 * is bridged with a whole page more.
 */
export function paddingBefore(pos: number, addr: number, pageBytes: number): number {
  const mod = (n: number): number => ((n % pageBytes) + pageBytes) % pageBytes;
  const gap = mod(addr - SEGMENT_HEADER_BYTES - pos);
  if (gap === 0) return 0;
  return gap > SEGMENT_HEADER_BYTES ? gap - SEGMENT_HEADER_BYTES : gap + pageBytes - SEGMENT_HEADER_BYTES;
}

class ImageBuffer {
  private chunks: Uint8Array[] = [];
  length = 0;
  checksum = CHECKSUM_SEED;
  readonly written: WrittenSegment[] = [];

  raw(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  segment(addr: number, data: Uint8Array, kind: WrittenSegment["kind"]): void {
    const header = new Uint8Array(SEGMENT_HEADER_BYTES);
    const view = new DataView(header.buffer);
    view.setUint32(0, addr, true);
    view.setUint32(4, data.length, true);
    this.raw(header);
    this.written.push({ addr, sizeBytes: data.length, fileOffset: this.length, kind });
    this.raw(data);
    for (const b of data) this.checksum ^= b;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function headerBytes(h: AppHeaderFields): Uint8Array {
  const out = new Uint8Array(IMAGE_HEADER_BYTES);
  const v = new DataView(out.buffer);
  out[0] = ESP_IMAGE_MAGIC;
  out[2] = h.flashMode;
  out[3] = h.flashSizeFreq;
  v.setUint32(4, h.entry, true);
  out[8] = WP_PIN_DISABLED;
  v.setUint16(12, h.chipId, true);
  out[14] = h.minRev;
  v.setUint16(15, h.minRevFull, true);
  v.setUint16(17, h.maxRevFull, true);
  out[23] = 1; // SHA-256 appended
  return out;
}

/** Writes the image; throws `IMAGE_INVALID` when it would need more than 16 segments. */
export function writeAppImage(header: AppHeaderFields, layout: AppLayout, fileName: string): WrittenImage {
  const out = new ImageBuffer();
  out.raw(headerBytes(header));
  const page = layout.mmuPageBytes;
  const ram = layout.ram.map((s) => ({ addr: s.addr, data: s.data }));
  for (const seg of layout.flash) {
    for (let pad = paddingBefore(out.length, seg.addr, page); pad > 0; pad = paddingBefore(out.length, seg.addr, page)) {
      const first = ram[0];
      if (first !== undefined && pad > SEGMENT_HEADER_BYTES) {
        // Fill the gap with the start of a RAM segment: it has to be in the image anyway.
        const take = Math.min(pad, first.data.length);
        out.segment(first.addr, first.data.subarray(0, take), "ram");
        first.addr += take;
        first.data = first.data.subarray(take);
        if (first.data.length === 0) ram.shift();
      } else {
        out.segment(0, new Uint8Array(pad), "padding");
      }
    }
    let data = seg.data;
    const tail = (out.length + SEGMENT_HEADER_BYTES + data.length) % page;
    if (layout.esp32LastPagePadding && tail < ESP32_LAST_PAGE_MIN_BYTES) {
      data = new Uint8Array(data.length + ESP32_LAST_PAGE_MIN_BYTES - tail);
      data.set(seg.data);
    }
    out.segment(seg.addr, data, "flash");
  }
  for (const seg of ram) out.segment(seg.addr, seg.data, "ram");
  if (out.written.length > MAX_SEGMENTS) {
    throw new EspsyncError("IMAGE_INVALID", `${fileName}: the image would need ${out.written.length} segments; the bootloader reads at most ${MAX_SEGMENTS}`, {
      hint: "Usually a linker script problem: too many separate loaded sections. Merge them in the linker script.",
    });
  }
  const checksumAt = out.length + (15 - (out.length % 16));
  const trailer = new Uint8Array(checksumAt - out.length + 1);
  trailer[trailer.length - 1] = out.checksum;
  out.raw(trailer);
  const image = out.bytes();
  image[1] = out.written.length;
  const digest = createHash("sha256").update(image).digest();
  const bytes = new Uint8Array(image.length + digest.length);
  bytes.set(image);
  bytes.set(digest, image.length);
  return { bytes, segments: out.written };
}

/**
 * Intel HEX text of a merged image, record for record as esptool's `merge-bin --format hex` writes it
 * (through the `intelhex` package): data records (type 00) of up to 16 bytes that start where the
 * data starts and never cross a 64 KiB boundary, an extended linear address record (type 04) before
 * the first data record and whenever the upper 16 address bits grow — only when some data lies above
 * 0xFFFF — and the end-of-file record (type 01). Gaps are not written, so nothing fills them.
 */
import type { MergeSegment } from "./merge-raw.js";

const RECORD_BYTES = 16;
const PAGE_BYTES = 0x10000;

/** One record line: `:` LL AAAA TT data CC, upper-case hex. */
function record(type: number, address: number, data: Uint8Array): string {
  const bytes = [data.length, (address >> 8) & 0xff, address & 0xff, type, ...data];
  const checksum = -bytes.reduce((sum, b) => sum + b, 0) & 0xff;
  return `:${[...bytes, checksum].map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join("")}`;
}

/** Adjacent segments as one run: the HEX writer sees addresses, not files. */
function runs(segments: readonly MergeSegment[]): MergeSegment[] {
  const sorted = [...segments].filter((s) => s.bytes.length > 0).sort((a, b) => a.addr - b.addr);
  const out: MergeSegment[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.addr + last.bytes.length === s.addr) {
      const joined = new Uint8Array(last.bytes.length + s.bytes.length);
      joined.set(last.bytes);
      joined.set(s.bytes, last.bytes.length);
      out[out.length - 1] = { addr: last.addr, bytes: joined };
    } else out.push(s);
  }
  return out;
}

/** The Intel HEX text (lines end in `\n`) holding `segments` at their addresses. */
export function toIntelHex(segments: readonly MergeSegment[]): string {
  const all = runs(segments);
  const last = all[all.length - 1];
  const needsUpper = last !== undefined && last.addr + last.bytes.length - 1 > 0xffff;
  const lines: string[] = [];
  let upper = -1;
  for (const run of all) {
    let addr = run.addr;
    const end = run.addr + run.bytes.length;
    while (addr < end) {
      if (needsUpper && addr >>> 16 !== upper) {
        upper = addr >>> 16;
        lines.push(record(0x04, 0, Uint8Array.of(upper >> 8, upper & 0xff)));
      }
      const stop = Math.min(end, addr + RECORD_BYTES, (Math.floor(addr / PAGE_BYTES) + 1) * PAGE_BYTES);
      lines.push(record(0x00, addr & 0xffff, run.bytes.subarray(addr - run.addr, stop - run.addr)));
      addr = stop;
    }
  }
  lines.push(":00000001FF");
  return `${lines.join("\n")}\n`;
}

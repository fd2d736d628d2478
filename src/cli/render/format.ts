/**
 * Number formatting shared by every command's output: sizes, durations, rates, revisions. Binary
 * units (KiB, MiB) because flash is organised in powers of two.
 */

/** `512 B`, `12.0 KiB`, `1.50 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}

/** `0.2/1.5 MiB`, `112/512 KiB`: both counts in the unit of the total and one digit less, for a tight line. */
export function formatBytesOf(doneBytes: number, totalBytes: number): string {
  if (totalBytes < 1024) return `${doneBytes}/${totalBytes} B`;
  if (totalBytes < 1024 * 1024) return `${Math.floor(doneBytes / 1024)}/${Math.ceil(totalBytes / 1024)} KiB`;
  return `${(doneBytes / (1024 * 1024)).toFixed(1)}/${(totalBytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** `0.42 s`, `12.3 s`, `2 min 05 s`. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
}

/** Bytes per second over `ms`, e.g. `85.3 KiB/s`; `-` when no time passed. */
export function formatRate(bytes: number, ms: number): string {
  if (ms <= 0) return "-";
  return `${formatBytes(Math.round((bytes * 1000) / ms))}/s`;
}

/** A revision stored as major·100 + minor: `v3.1`. */
export function formatRevision(full: number): string {
  return `v${Math.floor(full / 100)}.${full % 100}`;
}

/** Hex with a fixed width and `0x`: `formatHex(0x20, 2)` → `0x20`. */
export function formatHex(value: number, digits: number): string {
  return `0x${(value >>> 0).toString(16).padStart(digits, "0")}`;
}

/** `aaaa:bbbb` USB id, or `-`. */
export function formatUsbId(vid: number | undefined, pid: number | undefined): string {
  if (vid === undefined) return "-";
  return `${vid.toString(16).padStart(4, "0")}:${(pid ?? 0).toString(16).padStart(4, "0")}`;
}

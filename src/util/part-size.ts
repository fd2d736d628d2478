/**
 * How long to make the parts of a long read or erase that can be stopped between parts (Ctrl-C):
 * short enough that a stop comes soon, long enough that each part's own command — one round trip —
 * costs little. On a local port (a round trip of a few ms) that is one 64 KiB block; across a
 * network (RFC 2217, 80 ms) several.
 */

/** The smallest part: one 64 KiB flash block. */
export const MIN_PART_BYTES = 0x10000;
/** The largest: a stop waits at most this long's worth of work. */
export const MAX_PART_BYTES = 0x100000;
/** A part's work takes at least this many round trips, so its command costs at most 1/20 (5 %) of it. */
const ROUND_TRIPS_PER_PART = 20;

/**
 * Bytes per part, a multiple of 64 KiB from {@link MIN_PART_BYTES} to {@link MAX_PART_BYTES}, for
 * work done at `bytesPerS` over a link whose round trip is `roundTripS` (unknown: the smallest).
 */
export function partBytes(roundTripS: number | undefined, bytesPerS: number): number {
  const needed = (roundTripS ?? 0) * ROUND_TRIPS_PER_PART * bytesPerS;
  const blocks = Math.max(1, Math.ceil(needed / MIN_PART_BYTES));
  return Math.min(MAX_PART_BYTES, blocks * MIN_PART_BYTES);
}

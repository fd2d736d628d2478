/**
 * Learning what the chip holds, as a pure state machine the engine drives (pyOCD-style per-sector
 * tri-state). Each round the engine sends every query from {@link nextQueries} (pipelined, e.g.
 * `Device.md5Many`) and feeds the digests to {@link applyDigests}, until no query is left.
 *
 * Strategy per region (ARCHITECTURE.md "Delta planning"): aim for one on-chip read.
 * - With a cache entry, or when the region is one block, or when round trips are dear compared with
 *   reading: one whole-region digest first. Equal to the target → skip; equal to the cached digest →
 *   sector states come from the cache with no further query.
 * - Otherwise start with 64 KiB block digests: they answer "unchanged?" with the same single read a
 *   whole-region digest needs, and a mismatch costs no second full read.
 * - Then 4 KiB sector digests only inside differing blocks, and only when the cost model expects the
 *   read to pay for itself; unprobed sectors stay `unknown` and are written. Blocks holding sectors
 *   whose target is all 0xFF are always probed: left unknown, each such sector costs an erase (~45 ms)
 *   where its digest costs about 2 ms. The share of blocks found unchanged bounds the share of
 *   unchanged sectors expected inside the changed ones: when (nearly) every block differs, the region
 *   is a code change or new content and is written without reading it a second time. A block
 *   expected to hold only a few differing sectors is searched through its four 16 KiB parts first
 *   (fewer requests: what a link with a long round trip charges for).
 * - With a cache entry that predicts (nearly) every sector differs, nothing is asked: the whole-region
 *   digest could save less than it costs to read, and the verification proves what is written.
 */
import { EspsyncError, hex32 } from "../errors.js";
import { toHex } from "../util/hex.js";
import { BLOCK_SIZE_BYTES, SECTOR_SIZE_BYTES } from "../util/sectors.js";
import { cachedSectorMd5, findCacheEntry, type CacheEntry } from "./cache.js";
import { DEFAULT_COST_MODEL, digestTimeS, eraseTimeS, linkTimeS, programTimeS, type CostModel } from "./cost-model.js";
import { RegionTarget, type TargetRegion } from "./target.js";

/** What is known about one sector of the chip. */
export type SectorState = "unknown" | "same" | "differs";

/** A digest request: MD5 of `[addr, addr + sizeBytes)` on the chip. */
export interface DigestQuery {
  readonly addr: number;
  readonly sizeBytes: number;
}

/** Probe progress of one region. */
export interface RegionProbe {
  readonly target: RegionTarget;
  readonly cache: CacheEntry | undefined;
  readonly phase: "whole" | "blocks" | "sectors" | "done";
  /** Queries of the current phase not answered yet. */
  readonly pending: readonly DigestQuery[];
  readonly sectors: readonly SectorState[];
  /** Region-relative indexes of blocks found to differ (blocks phase). */
  readonly differingBlocks: readonly number[];
  /** Region-relative offsets of 16 KiB parts found to differ (sectors phase), whose sectors are asked next. */
  readonly differingParts: readonly number[];
  /** Digests answered so far. */
  readonly queries: number;
  /** Flash bytes the chip read to answer them. */
  readonly readBytes: number;
}

/** The whole probe: one entry per region, in input order. */
export interface ProbeState {
  readonly regions: readonly RegionProbe[];
  readonly cost: CostModel;
}

/** Options of {@link startProbe}. */
export interface ProbeOptions {
  readonly cost?: CostModel;
  /** Cache entries (typically of this chip); matched on mac (when given), address and size. */
  readonly cache?: readonly CacheEntry[];
  readonly mac?: string;
  /** Force the first query kind (tests, benchmarks); `auto` lets the cost model choose. */
  readonly firstProbe?: "auto" | "whole" | "blocks" | "none";
}

/** Time to write `[offset, offset + size)` of a target as one run, erase included. */
export function writeCostS(cost: CostModel, t: RegionTarget, offset: number, sizeBytes: number): number {
  const sent = cost.compress ? t.compressedBytes(offset, sizeBytes) : sizeBytes;
  return cost.runOverheadS + eraseTimeS(cost, t.addr + offset, sizeBytes) + linkTimeS(cost, sent) + programTimeS(cost, sizeBytes);
}

function blockQueries(t: RegionTarget, blocks: readonly number[]): DigestQuery[] {
  return blocks.map((b) => ({ addr: t.addr + t.block(b).offset, sizeBytes: t.block(b).sizeBytes }));
}

/**
 * With a cache entry, the whole-region digest pays when the sectors the cache predicts unchanged (the
 * chip still holding what was written last time) are worth more to skip than the digest costs.
 */
function cacheDigestPays(t: RegionTarget, cost: CostModel, cache: CacheEntry): boolean {
  let same = 0;
  for (let i = 0; i < t.sectorCount; i++) if (cachedSectorMd5(cache, i) === t.sectorMd5(i)) same++;
  const perSectorS = writeCostS(cost, t, 0, t.sizeBytes) / t.sectorCount;
  return digestTimeS(cost, t.sizeBytes, 1) <= same * perSectorS;
}

function firstPhase(t: RegionTarget, cost: CostModel, cache: CacheEntry | undefined, forced: ProbeOptions["firstProbe"]): RegionProbe["phase"] {
  if (forced === "none") return "done";
  if (forced === "whole" || forced === "blocks") return t.blockCount === 1 ? "whole" : forced;
  // Not worth asking at all when reading the region costs more than writing it (a very fast link).
  const write = cost.runOverheadS + eraseTimeS(cost, t.addr, t.sizeBytes) + programTimeS(cost, t.sizeBytes);
  if (digestTimeS(cost, t.sizeBytes, 1) >= write) return "done";
  if (cache !== undefined && !cacheDigestPays(t, cost, cache)) return "done";
  if (cache !== undefined || t.blockCount === 1) return "whole";
  // Whole first saves (blocks − 1) round trips when unchanged; blocks first saves one full read and
  // one round trip when changed. Without a prior, take the cheaper of the two differences.
  return (t.blockCount - 2) * cost.digestLatencyS > t.sizeBytes / cost.md5BytesPerS ? "whole" : "blocks";
}

/** Starts probing `regions` (non-overlapping, sector-aligned, data padded to whole sectors). */
export function startProbe(regions: readonly TargetRegion[], options: ProbeOptions = {}): ProbeState {
  const cost = options.cost ?? DEFAULT_COST_MODEL;
  return {
    cost,
    regions: regions.map((r): RegionProbe => {
      const target = new RegionTarget(r);
      const cache = options.cache === undefined ? undefined : findCacheEntry(options.cache, options.mac, r.addr, r.data.length);
      const phase = firstPhase(target, cost, cache, options.firstProbe ?? "auto");
      const pending =
        phase === "whole" ? [{ addr: r.addr, sizeBytes: r.data.length }] : phase === "blocks" ? blockQueries(target, [...Array(target.blockCount).keys()]) : [];
      return { target, cache, phase, pending, sectors: new Array<SectorState>(target.sectorCount).fill("unknown"), differingBlocks: [], differingParts: [], queries: 0, readBytes: 0 };
    }),
  };
}

/** Every query still to send, all regions together (send them pipelined, in any order). */
export function nextQueries(state: ProbeState): DigestQuery[] {
  return state.regions.flatMap((r) => r.pending);
}

/** True when nothing is left to ask. */
export function probeDone(state: ProbeState): boolean {
  return state.regions.every((r) => r.phase === "done");
}

/** Per-sector states of region `index`. */
export function sectorStates(state: ProbeState, index: number): readonly SectorState[] {
  return state.regions[index]?.sectors ?? [];
}

function fill(sectors: SectorState[], from: number, count: number, s: SectorState): void {
  for (let i = from; i < from + count; i++) sectors[i] = s;
}

/** 4 KiB sectors in a 64 KiB block. */
const SECTORS_PER_BLOCK = 16;
/** 4 KiB sectors in a 16 KiB part of a block. */
const SECTORS_PER_PART = 4;
/**
 * A differing block is searched through its four 16 KiB parts first when it is expected to hold at
 * most this many differing sectors: 4 part digests plus 4 sector digests per differing part cost
 * fewer requests than 16 sector digests as long as few parts differ (one differing sector: 8
 * requests instead of 16; four spread ones: about as many). Requests, not bytes, are what a probe
 * pays for on a link with a round trip (the chip hashes 16 KiB in a few milliseconds).
 */
const PARTS_PAY_UP_TO_SECTORS = 4;

/**
 * The share of unchanged sectors to expect inside a block known to differ, from what the block
 * digests showed. No block unchanged: new content, not an edit — expect almost nothing to match
 * (so a rewrite costs one read, not two). Some blocks unchanged: the changes are local; if sectors
 * changed independently, a block stays unchanged with probability q^16 (q = a sector stays), so
 * q = (share of unchanged blocks)^(1/16), and a changed block keeps (q − q^16) / (1 − q^16) of its
 * sectors. Real edits are clumpier than that (a code change shifts everything after it), so that
 * model is trusted only as far as the evidence goes: it is weighted by the share of unchanged blocks,
 * on top of the prior (measured code changes), which stays the floor.
 */
export function expectedSameShare(cost: CostModel, sameBlocks: number, blockCount: number, sectorsPerBlock: number): number {
  // Laplace estimate of the share of unchanged blocks, never exactly 0 or 1.
  const blocksSame = (sameBlocks + 1) / (blockCount + 2);
  if (sameBlocks === 0) return Math.min(cost.sameFractionPrior, blocksSame);
  const q = blocksSame ** (1 / sectorsPerBlock);
  const independent = (q - blocksSame) / (1 - blocksSame);
  return cost.sameFractionPrior + Math.max(0, independent - cost.sameFractionPrior) * blocksSame;
}

/**
 * Sector queries for the differing blocks worth probing; marks one-sector blocks directly. `sameBlocks`
 * blocks of the region were found unchanged: with the prior, it sets the share of unchanged sectors
 * expected inside a differing block (a region where every block differs is new content, not an edit).
 */
function descendToSectors(r: RegionProbe, cost: CostModel, blocks: readonly number[], sectors: SectorState[], sameBlocks: number): RegionProbe {
  const t = r.target;
  const pending: DigestQuery[] = [];
  const sameShare = expectedSameShare(cost, sameBlocks, t.blockCount, SECTORS_PER_BLOCK);
  for (const b of blocks) {
    const { offset, sizeBytes } = t.block(b);
    const first = offset / SECTOR_SIZE_BYTES;
    const n = sizeBytes / SECTOR_SIZE_BYTES;
    if (n === 1) {
      sectors[first] = "differs";
      continue;
    }
    // Left unknown, 0xFF-target sectors are erased one by one: far dearer than their digests.
    let erasedTarget = false;
    for (let i = first; i < first + n && !erasedTarget; i++) erasedTarget = t.isErasedSector(i);
    // Otherwise the block is written as one run (writeCostS is exactly that run's cost).
    const probe = digestTimeS(cost, sizeBytes, n);
    if (!erasedTarget && probe > sameShare * writeCostS(cost, t, offset, sizeBytes)) continue; // stays unknown → written
    const partBytes = SECTORS_PER_PART * SECTOR_SIZE_BYTES;
    const byParts = n > SECTORS_PER_PART && n * (1 - sameShare) <= PARTS_PAY_UP_TO_SECTORS;
    const step = byParts ? partBytes : SECTOR_SIZE_BYTES;
    for (let at = offset; at < offset + sizeBytes; at += step) pending.push({ addr: t.addr + at, sizeBytes: Math.min(step, offset + sizeBytes - at) });
  }
  return { ...r, sectors, phase: pending.length === 0 ? "done" : "sectors", pending };
}

/** Sector queries inside the 16 KiB parts found to differ. */
function sectorsOfParts(r: RegionProbe): RegionProbe {
  const t = r.target;
  const pending: DigestQuery[] = [];
  for (const offset of [...r.differingParts].sort((a, b) => a - b)) {
    const end = Math.min(offset + SECTORS_PER_PART * SECTOR_SIZE_BYTES, t.sizeBytes);
    for (let at = offset; at < end; at += SECTOR_SIZE_BYTES) pending.push({ addr: t.addr + at, sizeBytes: SECTOR_SIZE_BYTES });
  }
  return { ...r, differingParts: [], phase: pending.length === 0 ? "done" : "sectors", pending };
}

function afterWhole(r: RegionProbe, cost: CostModel, chipMd5: string, sectors: SectorState[]): RegionProbe {
  const t = r.target;
  if (chipMd5 === t.md5()) {
    fill(sectors, 0, t.sectorCount, "same");
    return { ...r, sectors, phase: "done", pending: [] };
  }
  if (r.cache !== undefined && chipMd5 === r.cache.regionMd5) {
    // The chip still holds what we wrote last time: per-sector states need no further reading.
    for (let i = 0; i < t.sectorCount; i++) sectors[i] = cachedSectorMd5(r.cache, i) === t.sectorMd5(i) ? "same" : "differs";
    return { ...r, sectors, phase: "done", pending: [] };
  }
  if (t.blockCount > 1) return { ...r, sectors, phase: "blocks", pending: blockQueries(t, [...Array(t.blockCount).keys()]) };
  return descendToSectors(r, cost, [0], sectors, 0);
}

/**
 * Feeds the chip's answers to `queries` (same order, 16 raw MD5 bytes each) into the state and returns
 * the next state. Answers may cover a subset of the pending queries; the rest stay pending.
 */
export function applyDigests(state: ProbeState, queries: readonly DigestQuery[], digests: readonly Uint8Array[]): ProbeState {
  if (queries.length !== digests.length) {
    throw new EspsyncError("INTERNAL", `${queries.length} digest queries but ${digests.length} answers`, { hint: "Pass the answers of md5Many in query order." });
  }
  const key = (q: DigestQuery): string => `${q.addr}+${q.sizeBytes}`;
  // Which region asked each pending query: one map, so answering n queries stays linear.
  const owner = new Map<string, number>();
  state.regions.forEach((r, idx) => {
    for (const p of r.pending) owner.set(key(p), idx);
  });
  const regions = state.regions.map((r) => ({ ...r, sectors: [...r.sectors], differingBlocks: [...r.differingBlocks], differingParts: [...r.differingParts] }));
  const answered = new Map<number, Set<string>>();
  const wholeAnswers = new Map<number, string>();
  queries.forEach((q, k) => {
    const idx = owner.get(key(q));
    const r = idx === undefined ? undefined : regions[idx];
    if (idx === undefined || r === undefined || answered.get(idx)?.has(key(q)) === true) {
      throw new EspsyncError("INTERNAL", `digest of ${hex32(q.addr)}+0x${q.sizeBytes.toString(16)} was not asked for`, { hint: "Answer only queries from nextQueries()." });
    }
    const chip = toHex(digests[k] as Uint8Array);
    if (!answered.has(idx)) answered.set(idx, new Set());
    answered.get(idx)?.add(key(q));
    r.queries += 1;
    r.readBytes += q.sizeBytes;
    const offset = q.addr - r.target.addr;
    if (r.phase === "whole") wholeAnswers.set(idx, chip);
    else if (r.phase === "blocks") {
      const b = offset / BLOCK_SIZE_BYTES;
      if (chip === r.target.md5Of(offset, q.sizeBytes)) fill(r.sectors, offset / SECTOR_SIZE_BYTES, q.sizeBytes / SECTOR_SIZE_BYTES, "same");
      else r.differingBlocks.push(b);
    } else if (q.sizeBytes > SECTOR_SIZE_BYTES) {
      // A 16 KiB part of a differing block: equal → its sectors are the same; else its sectors are asked next.
      if (chip === r.target.md5Of(offset, q.sizeBytes)) fill(r.sectors, offset / SECTOR_SIZE_BYTES, q.sizeBytes / SECTOR_SIZE_BYTES, "same");
      else r.differingParts.push(offset);
    } else {
      r.sectors[offset / SECTOR_SIZE_BYTES] = chip === r.target.sectorMd5(offset / SECTOR_SIZE_BYTES) ? "same" : "differs";
    }
  });
  const next = regions.map((r, idx): RegionProbe => {
    const done = answered.get(idx);
    if (done === undefined) return r;
    const pending = r.pending.filter((p) => !done.has(key(p)));
    if (pending.length > 0) return { ...r, pending };
    const settled = { ...r, pending };
    if (r.phase === "whole") return afterWhole(settled, state.cost, wholeAnswers.get(idx) as string, r.sectors);
    if (r.phase === "blocks") {
      const differing = [...r.differingBlocks].sort((a, b) => a - b);
      return descendToSectors(settled, state.cost, differing, r.sectors, r.target.blockCount - differing.length);
    }
    return sectorsOfParts(settled);
  });
  return { ...state, regions: next };
}

/**
 * The flash engine's public vocabulary: what a caller asks for, the typed progress events it
 * receives, and the result value the CLI prints and `--json` emits.
 */
import type { ImageSet } from "../image/index.js";
import type { CacheEntry, CostModel, FlashPlan } from "../plan/index.js";
import type { Device } from "../protocol/device.js";
import type { WriteLoader } from "./loader-choice.js";

/** Where the host-side digest cache lives; the CLI implements it over a file in the user's cache dir. */
export interface CacheStore {
  /** All entries (any chip); empty when there is no cache yet. */
  load(): Promise<readonly CacheEntry[]>;
  /** Replaces the stored entries. */
  save(entries: readonly CacheEntry[]): Promise<void>;
}

/** What to flash and how. */
export interface FlashRequest {
  /** A connected chip. The engine never opens or closes ports. */
  readonly device: Device;
  /** Images already validated before connect (`validateImageSet`); the engine runs the post-connect checks. */
  readonly images: ImageSet;
  /** Refuse images for newer revisions etc. unless forced. */
  readonly force?: boolean;
  /** Always rewrite every region whole (`--no-delta`). */
  readonly noDelta?: boolean;
  /** Erase the whole chip first (`--erase-all`); implies full writes. */
  readonly eraseAll?: boolean;
  /** Skip the final digest check (`--no-verify`). */
  readonly noVerify?: boolean;
  /** Connect, probe and plan; write nothing (`--dry-run`). */
  readonly dryRun?: boolean;
  /** Host digest cache; absent = `--no-cache`. */
  readonly cache?: CacheStore;
  /** Cost model override (benchmarks, tests); default derived from the link baud. */
  readonly cost?: CostModel;
  /** Link baud, for the default cost model. */
  readonly baudRate?: number;
  /**
   * Who writes while the stub is not running yet: `auto` (default) writes a few sectors through the
   * ROM when that is cheaper than uploading the stub (loader-choice.ts); `stub` always uploads it;
   * `rom` never does.
   */
  readonly writeLoader?: WriteLoader;
  /** Planner switches (tests disable merge/widen to assert exact minimality). */
  readonly planOptions?: { readonly merge?: boolean; readonly widen?: boolean; readonly fullFallback?: boolean };
  /** Typed progress. */
  readonly onEvent?: (event: FlashEvent) => void;
  /** Ctrl-C: stop at the next block boundary and throw INTERRUPTED. */
  readonly signal?: AbortSignal;
}

/** Progress events, per region and overall. */
export type FlashEvent =
  | { readonly type: "hash"; readonly queries: number; readonly doneQueries: number }
  | { readonly type: "plan"; readonly plan: FlashPlan }
  /** An erase-only run of region `region`, or the whole chip (`--erase-all`) with `region` -1. */
  | { readonly type: "erase"; readonly region: number; readonly addr: number; readonly sizeBytes: number }
  /**
   * A write run of region `region` starting at `addr`: sent when the run starts and after each block
   * the chip acknowledged; `doneBytes` counts the region's written bytes so far (all its runs).
   */
  | { readonly type: "write"; readonly region: number; readonly addr: number; readonly doneBytes: number; readonly totalBytes: number }
  /** A chip digest compared with the target; `ok: false` is followed by one rewrite, then a VerifyError. */
  | { readonly type: "verify"; readonly region: number; readonly addr: number; readonly sizeBytes: number; readonly ok: boolean }
  | { readonly type: "region-done"; readonly region: number; readonly result: RegionResult }
  | { readonly type: "warning"; readonly message: string };

/** What happened to one region. */
export interface RegionResult {
  readonly addr: number;
  readonly sizeBytes: number;
  readonly sourcePath: string;
  readonly kind: string;
  readonly outcome: "skip" | "selective" | "full";
  readonly sectorsTotal: number;
  readonly sectorsWritten: number;
  readonly sectorsErasedOnly: number;
  readonly sectorsSkipped: number;
  /** Flash bytes written (uncompressed). */
  readonly writtenBytes: number;
  /** Payload bytes sent for writes (compressed size). */
  readonly sentBytes: number;
  /** MD5 of the target bytes (hex). */
  readonly expectedMd5: string;
  /** MD5 the chip reported after the flash (hex); absent with --no-verify or --dry-run. */
  readonly verifiedMd5?: string;
  /** Whole milliseconds. */
  readonly durationMs: number;
}

/** The result of {@link FlashRequest}. */
export interface FlashResult {
  readonly ok: boolean;
  readonly dryRun: boolean;
  readonly regions: readonly RegionResult[];
  readonly plan: FlashPlan;
  readonly totals: {
    readonly writtenBytes: number;
    readonly sentBytes: number;
    /** Digests asked of the chip: probing plus verification. */
    readonly digestQueries: number;
    /** Whole milliseconds. */
    readonly durationMs: number;
    /** Flash bytes erased by erase-only runs (the whole chip with `eraseAll` is not counted here). */
    readonly erasedBytes: number;
    /** Runs written a second time because their first verification failed. */
    readonly rewrites: number;
  };
}

/** What to compare (`espsync verify`): the chip against the images, by digest, writing nothing. */
export interface VerifyRequest {
  /** A connected chip. */
  readonly device: Device;
  /** Images validated before connect; the post-connect checks run here too. */
  readonly images: ImageSet;
  /** Accept images for newer chip revisions. */
  readonly force?: boolean;
  /** Typed progress (`hash` events). */
  readonly onEvent?: (event: FlashEvent) => void;
  /** Aborted to stop (Ctrl-C): the comparison ends after the digests in flight, with INTERRUPTED. */
  readonly signal?: AbortSignal;
}

/** The comparison of one region. */
export interface RegionVerifyResult {
  readonly addr: number;
  readonly sizeBytes: number;
  readonly sourcePath: string;
  readonly kind: string;
  /** MD5 of the target bytes (hex). */
  readonly expectedMd5: string;
  /** MD5 of the region the chip reported (hex). */
  readonly actualMd5: string;
  readonly match: boolean;
  /** Flash addresses of the 4 KiB sectors whose chip digest differs from the target, ascending. */
  readonly differingSectorAddrs: readonly number[];
}

/** The result of `verify`. */
export interface VerifyResult {
  /** Every region matches. */
  readonly ok: boolean;
  readonly regions: readonly RegionVerifyResult[];
  /** Digests asked of the chip. */
  readonly digestQueries: number;
  /** Whole milliseconds. */
  readonly durationMs: number;
}

/**
 * The flash engine: `flash` (probe, plan, write only what differs, verify by the chip's digest) and
 * `verify` (compare by digest, write nothing), with their request, event and result types.
 */
export { flash } from "./flash.js";
export { verify } from "./verify.js";
export { compressRun, DEFLATE_LEVEL } from "./compress.js";
export { fullWritePlan } from "./full-plan.js";
export { MAX_RECOVERIES, RECOVERABLE_CODES, withRecovery } from "./recovery.js";
export type {
  CacheStore,
  FlashEvent,
  FlashRequest,
  FlashResult,
  RegionResult,
  RegionVerifyResult,
  VerifyRequest,
  VerifyResult,
} from "./types.js";
export type { WriteLoader } from "./loader-choice.js";

/**
 * `verify`: compare the chip with the images by digest and list the differing 4 KiB sectors, writing
 * nothing. Reuses the planner's probe (whole-region digest, then 64 KiB blocks, then sectors inside
 * differing blocks) with a cost model under which probing always pays, so every differing sector is
 * named and no sector is left unknown.
 */
import { EspsyncError } from "../errors.js";
import { DEFAULT_COST_MODEL, md5Hex, sectorStates, startProbe, type CostModel } from "../plan/index.js";
import { toHex } from "../util/hex.js";
import { elapsedMs } from "../util/elapsed.js";
import { SECTOR_SIZE_BYTES } from "../util/sectors.js";
import { prepare } from "./prepare.js";
import { runProbeLoop } from "./probe-loop.js";
import { withRecovery } from "./recovery.js";
import type { RegionVerifyResult, VerifyRequest, VerifyResult } from "./types.js";

/** Digests cost nothing here: verification wants a full answer, not a write plan. */
const EXHAUSTIVE: CostModel = { ...DEFAULT_COST_MODEL, md5BytesPerS: Number.POSITIVE_INFINITY, digestLatencyS: 0 };

/** Compares the chip with `request.images`; throws FLASH_ENCRYPTED / SECURE_DOWNLOAD_MODE when digests cannot be compared. */
export async function verify(request: VerifyRequest): Promise<VerifyResult> {
  const started = performance.now();
  const emit = request.onEvent ?? ((): void => undefined);
  // A digest that fails with the chip still reachable is asked again after a re-sync (recovery.ts).
  const device = withRecovery(request.device, emit);
  const { images } = prepare(device, request.images, { op: "verify", force: request.force });
  const regions = images.regions;
  const start = startProbe(regions, { cost: EXHAUSTIVE, firstProbe: "whole" });
  // The first round is exactly one whole-region digest per region: keep those answers for the result.
  const whole = new Map<number, string>();
  const recording = {
    md5Many: async (ranges: readonly { addr: number; sizeBytes: number }[]) => {
      const out = await device.md5Many(ranges);
      ranges.forEach((r, k) => {
        const region = regions.findIndex((g) => g.addr === r.addr && g.data.length === r.sizeBytes);
        if (region >= 0 && !whole.has(region)) whole.set(region, toHex(out[k] as Uint8Array));
      });
      return out;
    },
  };
  const probed = await runProbeLoop(recording, start, emit, () => {
    if (request.signal?.aborted) {
      throw new EspsyncError("INTERRUPTED", "verify interrupted before every digest was compared: the flash is unchanged (verify writes nothing)", {
        hint: "Run the same command again to compare the whole flash.",
      });
    }
  });
  const results = regions.map((region, i): RegionVerifyResult => {
    const expectedMd5 = md5Hex(region.data);
    const differingSectorAddrs = sectorStates(probed.state, i).flatMap((s, k) => (s === "same" ? [] : [region.addr + k * SECTOR_SIZE_BYTES]));
    const actualMd5 = whole.get(i) ?? expectedMd5;
    return {
      addr: region.addr,
      sizeBytes: region.data.length,
      sourcePath: region.sourcePath,
      kind: region.kind,
      expectedMd5,
      actualMd5,
      match: actualMd5 === expectedMd5,
      differingSectorAddrs,
    };
  });
  return { ok: results.every((r) => r.match), regions: results, digestQueries: probed.queries, durationMs: elapsedMs(started) };
}

/**
 * The benchmark's four strategies (test/bench/strategies.ts) as whole commands on the QEMU rig,
 * each one child process timed from spawn to exit:
 * - `full`: `espsync flash --no-delta` (every image written whole, then verified);
 * - `region-skip`: region-skip-child.ts, the simulator bench's region-skip strategy over a Device
 *   connected with espsync's library (espsync has no such mode);
 * - `espsync (cold)`: `espsync flash` with an empty digest cache directory;
 * - `espsync (warm)`: `espsync flash` with the cache espsync recorded flashing the start content.
 * The floor's child (floor-child.ts) is run the same way.
 */
import { mkdtempSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pairArgs, type Placed } from "../../qemu/firmware-images.js";
import type { StrategyName } from "../strategies.js";
import type { SessionSpec } from "./session.js";

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const REGION_SKIP_CHILD = here("./region-skip-child.js");
const FLOOR_CHILD = here("./floor-child.js");

/** A fresh, empty digest cache directory under `workDir`. */
export function emptyCacheDir(workDir: string): string {
  return mkdtempSync(path.join(workDir, "cache-"));
}

/** The session of `strategy` flashing `target`; `warmCacheDir` holds the recorded cache. */
export function strategySession(strategy: StrategyName, target: readonly Placed[], workDir: string, warmCacheDir: string | undefined): SessionSpec {
  const pairs = pairArgs(target);
  switch (strategy) {
    case "full":
      // The cache is not consulted with --no-delta; an empty one keeps the rig's out of it anyway.
      return { label: strategy, command: ["flash", "--no-delta", ...pairs], options: { env: { ESPSYNC_CACHE_DIR: emptyCacheDir(workDir) } } };
    case "region-skip":
      return { label: strategy, command: pairs, options: { script: REGION_SKIP_CHILD } };
    case "espsync (cold)":
      return { label: strategy, command: ["flash", ...pairs], options: { env: { ESPSYNC_CACHE_DIR: emptyCacheDir(workDir) } } };
    case "espsync (warm)":
      if (warmCacheDir === undefined) throw new Error("the warm run needs the recorded cache");
      return { label: strategy, command: ["flash", ...pairs], options: { env: { ESPSYNC_CACHE_DIR: warmCacheDir } } };
  }
}

/** `espsync flash` of what was last flashed, recording the warm cache into `cacheDir` (unmeasured). */
export function recordSession(images: readonly Placed[], cacheDir: string): SessionSpec {
  return { label: "record warm cache", command: ["flash", ...pairArgs(images)], options: { env: { ESPSYNC_CACHE_DIR: cacheDir } } };
}

/** The floor child with its job file. */
export function floorSession(jobFile: string): SessionSpec {
  return { label: "floor", command: ["--job", jobFile], options: { script: FLOOR_CHILD } };
}

/**
 * The benchmark's scenarios: a starting flash content and a target, both as address/file pairs, so
 * every strategy flashes the same target over the same start. Generated ones are deterministic;
 * real ones come from the shared firmware folder and are skipped, with the reason, when it is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadedFile } from "../../src/image/index.js";
import { appCodeOffset, idfLayout, makeApp, makeBootloader, makeDataPartition, makePartitionTable } from "./generate.js";
import { randomBytes } from "./prng.js";

/** Which targets of the issue apply to a scenario. */
export type TargetGroup = "unchanged-real" | "few-sectors" | "all-different" | "none";

/** One scenario: flash `target` over a chip holding `start`. */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly chip: "esp32";
  readonly start: readonly LoadedFile[];
  readonly target: readonly LoadedFile[];
  readonly group: TargetGroup;
}

/** A scenario that could not be built, and why. */
export interface SkippedScenario {
  readonly id: string;
  readonly title: string;
  readonly reason: string;
}

/** The repository root (this file is test/bench/scenarios.ts, or dist/test/bench/scenarios.js). */
export function repoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = here.split(path.sep).includes("dist") ? "../../.." : "../..";
  return path.resolve(here, up);
}

/** The shared real-firmware folder, resolved beside the repository. */
export function firmwareDir(): string {
  return path.resolve(repoRoot(), "../shared/firmware");
}

const APP_ADDR = 0x10000;
const PT_ADDR = 0x8000;
const BOOT_ADDR = 0x1000;
const APP_PARTITION_BYTES = 0x200000;

function file(addr: number, name: string, bytes: Uint8Array): LoadedFile {
  return { addr, path: name, bytes };
}

/** bootloader + partition table + app: the set `idf.py flash` writes. */
function idfSet(o: { appBytes: number; bootSeed?: number; app?: Parameters<typeof makeApp>[0] }): LoadedFile[] {
  const app = makeApp(o.app ?? { sizeBytes: o.appBytes, codeSeed: 1 });
  return [
    file(BOOT_ADDR, "bootloader.bin", makeBootloader(o.bootSeed ?? 1)),
    file(PT_ADDR, "partition-table.bin", makePartitionTable(idfLayout(APP_PARTITION_BYTES))),
    file(APP_ADDR, "app.bin", app),
  ];
}

/**
 * Flips one byte pair in the middle 4 KiB sector of the app's code with the same XOR mask, which keeps
 * the image's XOR checksum; the app carries no SHA-256, so exactly one sector differs.
 */
function oneSectorPatch(image: Uint8Array): void {
  const middle = Math.floor(image.length / 2 / 0x1000) * 0x1000 + 0x400;
  if (middle < appCodeOffset(image.length)) throw new Error("the middle sector is not in the code segment");
  image[middle] = (image[middle] as number) ^ 0x5a;
  image[middle + 1] = (image[middle + 1] as number) ^ 0x5a;
}

/** Generated scenarios; `appBytes` scales them (1.5 MiB in the bench, less in the quick test). */
export function generatedScenarios(appBytes = 1.5 * 1024 * 1024): Scenario[] {
  const base = idfSet({ appBytes });
  const noSha = { sizeBytes: appBytes, codeSeed: 1, sha256: false };
  const dataStart = makeDataPartition([...Array(32).keys()]);
  const dataTarget = makeDataPartition(
    [...Array(32).keys()].filter((s) => s !== 20).concat([40, 41]),
    (s) => (s === 3 || s === 17 ? 1 : 0),
  );
  const dataAddr = APP_ADDR + APP_PARTITION_BYTES;
  return [
    { id: "unchanged", title: "nothing changed (generated IDF set)", chip: "esp32", start: base, target: base, group: "none" },
    {
      id: "rebuild",
      title: "rebuild, no code change",
      chip: "esp32",
      start: base,
      target: idfSet({ appBytes, app: { sizeBytes: appBytes, codeSeed: 1, buildTime: "10:07:31" } }),
      group: "few-sectors",
    },
    {
      id: "one-sector",
      title: "one sector changed mid-app",
      chip: "esp32",
      start: idfSet({ appBytes, app: noSha }),
      target: idfSet({ appBytes, app: { ...noSha, patch: oneSectorPatch } }),
      group: "few-sectors",
    },
    {
      id: "data-partition",
      title: "data partition, 5 of 256 sectors",
      chip: "esp32",
      start: [file(dataAddr, "storage.bin", dataStart)],
      target: [file(dataAddr, "storage.bin", dataTarget)],
      group: "few-sectors",
    },
    { id: "bootloader", title: "bootloader only changed", chip: "esp32", start: base, target: idfSet({ appBytes, bootSeed: 2 }), group: "none" },
    {
      id: "all-different",
      title: "everything different (random)",
      chip: "esp32",
      start: [file(0x100000, "random.bin", randomBytes(appBytes, 11))],
      target: [file(0x100000, "random.bin", randomBytes(appBytes, 12))],
      group: "all-different",
    },
  ];
}

function readReal(dir: string, rel: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(dir, rel)));
}

/** Real-firmware scenarios, or why they are skipped. */
export function realScenarios(dir = firmwareDir()): { scenarios: Scenario[]; skipped: SkippedScenario[] } {
  const mp = (c: string): string => `micropython-esp32/build-${c}.bin`;
  const pairs: [string, string, string, TargetGroup][] = [
    ["mp-unchanged", "micropython 0484727, nothing changed (1.7 MiB)", "0484727>0484727", "unchanged-real"],
    ["mp-878-e0f", "micropython 878cad9 → e0f5f4b (driver change)", "878cad9>e0f5f4b", "none"],
    ["mp-e0f-3d9", "micropython e0f5f4b → 3d9f6a6 (small fix)", "e0f5f4b>3d9f6a6", "none"],
    ["mp-3d9-048", "micropython 3d9f6a6 → 0484727 (tiny fix)", "3d9f6a6>0484727", "few-sectors"],
  ];
  const scenarios: Scenario[] = [];
  const skipped: SkippedScenario[] = [];
  for (const [id, title, spec, group] of pairs) {
    const [a, b] = spec.split(">") as [string, string];
    if (!existsSync(path.join(dir, mp(a))) || !existsSync(path.join(dir, mp(b)))) {
      skipped.push({ id, title, reason: `real firmware not found under ${path.join(dir, "micropython-esp32")}` });
      continue;
    }
    scenarios.push({ id, title, chip: "esp32", group, start: [file(0x1000, mp(a), readReal(dir, mp(a)))], target: [file(0x1000, mp(b), readReal(dir, mp(b)))] });
  }
  const idf = (v: string): LoadedFile[] => [
    file(BOOT_ADDR, `${v}/bootloader.bin`, readReal(dir, `idf-hello-${v}/esp32/bootloader.bin`)),
    file(PT_ADDR, `${v}/partition-table.bin`, readReal(dir, `idf-hello-${v}/esp32/partition-table.bin`)),
    file(APP_ADDR, `${v}/hello_world.bin`, readReal(dir, `idf-hello-${v}/esp32/hello_world.bin`)),
  ];
  const title = "idf-hello v5.1 → v5.2 (esp32)";
  if (existsSync(path.join(dir, "idf-hello-v5.1/esp32/hello_world.bin")) && existsSync(path.join(dir, "idf-hello-v5.2/esp32/hello_world.bin"))) {
    scenarios.push({ id: "idf-upgrade", title, chip: "esp32", group: "none", start: idf("v5.1"), target: idf("v5.2") });
  } else {
    skipped.push({ id: "idf-upgrade", title, reason: `real firmware not found under ${dir}` });
  }
  return { scenarios, skipped };
}

/** Every scenario in the order: generated ones first, then real ones. */
export function allScenarios(): { scenarios: Scenario[]; skipped: SkippedScenario[] } {
  const gen = generatedScenarios();
  const real = realScenarios();
  const byId = new Map([...gen, ...real.scenarios].map((s) => [s.id, s]));
  const order = ["unchanged", "rebuild", "one-sector", "mp-unchanged", "mp-878-e0f", "mp-e0f-3d9", "mp-3d9-048", "idf-upgrade", "data-partition", "bootloader", "all-different"];
  return { scenarios: order.flatMap((id) => byId.get(id) ?? []), skipped: real.skipped };
}

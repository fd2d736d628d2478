/**
 * One measured run on a fresh virtual chip: preload the starting flash contents directly, reset the
 * virtual clock and the counters, connect (so connect and stub upload are in every figure), run the
 * strategy, then read the modelled time and counters and check the end state.
 */
import { openSimPort, type SimPort } from "../../adapters/sim/index.js";
import type { TimingProfileName } from "../../adapters/sim/timing.js";
import { flash } from "../../src/engine/index.js";
import { buildImageSet, validateImageSet, type ConnectedChip, type ImageSet, type LoadedFile } from "../../src/image/index.js";
import { costModelForLink, type CacheEntry, type CostModel } from "../../src/plan/index.js";
import { connect, type Device } from "../../src/protocol/index.js";
import { CpuMeter, type HostCpu } from "./cpu-meter.js";
import { STRATEGY_RUNNERS, memoryCache, targetRegions, type StrategyName } from "./strategies.js";

/** Simulated flash size of every run. */
export const FLASH_SIZE_BYTES = 4 * 1024 * 1024;

/** A link profile of the benchmark: the simulator's timing profile and the baud asked for. */
export interface LinkProfile {
  readonly name: TimingProfileName;
  readonly baudRate: number;
}

/** The counters of one run. */
export interface RunFigures {
  /** Modelled wall time, virtual seconds (connect included). */
  readonly modelledS: number;
  /** Raw bytes the host sent (SLIP framed). */
  readonly bytesToChip: number;
  /** Raw bytes the chip sent. */
  readonly bytesFromChip: number;
  /** Commands the chip received (connect included). */
  readonly commands: number;
  /** 4 KiB sectors erased (a 64 KiB block erase counts 16). */
  readonly sectorsErased: number;
  /** 64 KiB block erases among them. */
  readonly blocksErased: number;
  readonly bytesProgrammed: number;
}

/** A strategy's run. */
export interface StrategyRun extends RunFigures {
  readonly strategy: StrategyName;
  readonly hostCpu: HostCpu;
  readonly digestQueries: number;
  readonly detail: string;
  /** The flash held the target bytes afterwards. */
  readonly endStateOk: boolean;
}

/** The image set a user would hand over (validated before connecting, as the CLI does). */
export function imageSetOf(files: readonly LoadedFile[], chip: "esp32"): ImageSet {
  const set = buildImageSet(files, { chip, chipSource: "benchmark" });
  validateImageSet(set);
  return set;
}

/** The flash contents after `start` was written: erased flash with the start regions in place. */
export function startFlash(start: ImageSet): Uint8Array {
  const flash = new Uint8Array(FLASH_SIZE_BYTES).fill(0xff);
  for (const r of start.regions) flash.set(r.data, r.addr);
  return flash;
}

function figures(port: SimPort): RunFigures {
  const c = port.chip.flash.counters;
  return {
    modelledS: port.chip.virtualTimeS,
    bytesToChip: c.bytesFromHost,
    bytesFromChip: c.bytesToHost,
    commands: Object.values(c.commands).reduce((a, b) => a + b, 0),
    sectorsErased: c.sectorsErased + 16 * c.blocksErased,
    blocksErased: c.blocksErased,
    bytesProgrammed: c.bytesProgrammed,
  };
}

/** A fresh chip holding `contents`, clock and counters at zero. */
function freshChip(profile: LinkProfile | undefined, contents: Uint8Array | undefined): SimPort {
  const port = openSimPort({ chip: "esp32", flashSizeBytes: FLASH_SIZE_BYTES, ...(profile && { timing: profile.name }) });
  if (contents) port.chip.flash.bytes.set(contents);
  port.chip.resetVirtualTime();
  port.chip.flash.resetCounters();
  return port;
}

/**
 * The cost model the engine would pick on this link. On a real USB-Serial/JTAG port the device layer
 * reports that link (VID:PID 303A:1001) and the engine plans for ~1 MB/s whatever the baud; the
 * simulated ESP32 has no such peripheral, so its port cannot say so and the benchmark says it instead.
 */
function plannerCostFor(profile: LinkProfile): CostModel | undefined {
  return profile.name === "usb-serial-jtag" ? costModelForLink({ kind: "usb-serial-jtag", baudRate: profile.baudRate }) : undefined;
}

async function connected(port: SimPort, baudRate: number): Promise<Device> {
  return connect(port, { baudRate });
}

/** The virtual time of a connect alone (ROM sync, stub upload, baud change) and what it reported. */
export async function measureConnect(profile: LinkProfile): Promise<{ connectS: number; commands: number; chip: ConnectedChip }> {
  const port = freshChip(profile, undefined);
  const device = await connected(port, profile.baudRate);
  const f = figures(port);
  await device.close();
  const c = device.chip;
  return { connectS: f.modelledS, commands: f.commands, chip: { chip: c.chip, revisionFull: c.revisionFull, flashSizeBytes: c.flashSizeBytes } };
}

/**
 * The cache espsync records when it flashes `start`: run the engine once with `start` over a chip that
 * already holds it (everything proven equal by the chip's digests is recorded).
 */
export async function recordWarmCache(start: ImageSet, contents: Uint8Array, baudRate: number): Promise<readonly CacheEntry[]> {
  const port = freshChip(undefined, contents);
  const device = await connected(port, baudRate);
  const cache = memoryCache();
  try {
    await flash({ device, images: start, baudRate, cache });
  } finally {
    await device.close();
  }
  return cache.entries;
}

/** Runs `strategy` writing `target` over `contents` on a fresh chip with `profile`'s timing. */
export async function runStrategy(o: {
  profile: LinkProfile;
  strategy: StrategyName;
  contents: Uint8Array;
  target: ImageSet;
  warmCache?: readonly CacheEntry[];
}): Promise<StrategyRun> {
  const port = freshChip(o.profile, o.contents);
  const device = await connected(port, o.profile.baudRate);
  const meter = new CpuMeter();
  let outcome;
  let hostCpu: HostCpu;
  try {
    meter.begin();
    const cost = plannerCostFor(o.profile);
    outcome = await STRATEGY_RUNNERS[o.strategy]({ device: meter.wrap(device), images: o.target, baudRate: o.profile.baudRate, ...(cost && { cost }), ...(o.warmCache && { warmCache: o.warmCache }) });
    hostCpu = meter.end();
  } finally {
    await device.close();
  }
  const flash = port.chip.flash.bytes;
  const endStateOk = targetRegions(device, o.target).every((r) => Buffer.compare(flash.subarray(r.addr, r.addr + r.data.length), r.data) === 0);
  return { strategy: o.strategy, ...figures(port), hostCpu, digestQueries: outcome.digestQueries, detail: outcome.detail, endStateOk };
}

/**
 * Child process of the host-cost measurement (a fresh process per size, so memory figures are its
 * own): flashes an image set of N MiB with the engine onto an in-memory chip whose every sector
 * differs (the most planning and compression work), and prints one JSON line. Run with --expose-gc.
 * Usage: node host-cost-child.js <sizeMiB>
 */
import { flash } from "../../src/engine/index.js";
import { CpuMeter } from "./cpu-meter.js";
import { memoryDevice } from "./fake-chip.js";
import { idfLayout, makeApp, makeBootloader, makePartitionTable } from "./generate.js";
import { imageSetOf } from "./sim-run.js";

const MIB = 1024 * 1024;

function mib(bytes: number): number {
  return bytes / MIB;
}

async function main(): Promise<void> {
  const sizeMiB = Number(process.argv[2] ?? "4");
  const appBytes = sizeMiB * MIB - 0x10000 - 0x100;
  const layout = idfLayout(sizeMiB * MIB - 0x10000, false);
  const files = (bootSeed: number, codeSeed: number) => [
    { addr: 0x1000, path: "bootloader.bin", bytes: makeBootloader(bootSeed) },
    { addr: 0x8000, path: "partition-table.bin", bytes: makePartitionTable(layout) },
    { addr: 0x10000, path: "app.bin", bytes: makeApp({ sizeBytes: appBytes, codeSeed }) },
  ];
  const images = imageSetOf(files(1, 1), "esp32");
  const setBytes = images.regions.reduce((n, r) => n + r.data.length, 0);
  const flashBytes = Math.max(4 * MIB, sizeMiB * MIB);
  // The chip holds another build: every sector differs (the partition table too, by one entry).
  const before = new Uint8Array(flashBytes).fill(0xff);
  for (const f of files(2, 2)) before.set(f.bytes, f.addr);
  before[0x8000 + 40] = 0x11;
  const chipFlash = new Uint8Array(flashBytes);
  const gc = (globalThis as { gc?: () => void }).gc;
  const runs: { cpuMs: number; planMs: number; compressMs: number }[] = [];
  let memory = { baselineRssMiB: 0, peakSampledRssMiB: 0, engineRssGrowthMiB: 0, peakHeapExternalGrowthMiB: 0, maxRssMiB: 0 };
  for (let i = 0; i < 3; i++) {
    chipFlash.set(before);
    gc?.();
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeapExt = base.heapUsed + base.external;
    const sample = (): void => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeapExt = Math.max(peakHeapExt, m.heapUsed + m.external);
    };
    const device = memoryDevice(chipFlash);
    const sampled = { ...device, md5Many: async (r: Parameters<typeof device.md5Many>[0]) => (sample(), device.md5Many(r)), write: async (...a: Parameters<typeof device.write>) => (sample(), device.write(...a)) };
    const meter = new CpuMeter();
    meter.begin();
    await flash({ device: meter.wrap(sampled), images, baudRate: 921600 });
    const cpu = meter.end();
    sample();
    if (Buffer.compare(chipFlash.subarray(0x10000, 0x10000 + 0x1000), images.regions[2]?.data.subarray(0, 0x1000) ?? new Uint8Array()) !== 0) throw new Error("the app was not written");
    runs.push({ cpuMs: (cpu.planUs + cpu.writeUs) / 1000, planMs: cpu.planUs / 1000, compressMs: cpu.writeUs / 1000 });
    if (i === 0) {
      memory = {
        baselineRssMiB: mib(base.rss),
        peakSampledRssMiB: mib(peakRss),
        engineRssGrowthMiB: mib(peakRss - base.rss),
        peakHeapExternalGrowthMiB: mib(peakHeapExt - base.heapUsed - base.external),
        maxRssMiB: process.resourceUsage().maxRSS / 1024,
      };
    }
  }
  process.stdout.write(`${JSON.stringify({ sizeMiB, setBytes, first: runs[0], best: runs.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a)), memory })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});

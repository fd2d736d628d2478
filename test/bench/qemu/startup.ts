/**
 * The start-up piece of the floor: what starting the espsync CLI costs before it talks to a chip
 * and after it is done (node starting, loading espsync's modules, exiting), measured as the wall
 * time of `espsync --version` from spawn to exit, like the strategies' whole commands.
 */
import { startEspsync } from "../../qemu/espsync-process.js";

/** The start-up time: the median of `runs` processes, with every sample. */
export interface Startup {
  readonly medianS: number;
  readonly samplesS: readonly number[];
}

/** Runs `espsync --version` `runs` times, one after another. */
export async function measureStartup(runs = 5): Promise<Startup> {
  const samplesS: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await startEspsync(["--version"], { timeoutMs: 30_000 }).done;
    if (r.exit !== 0) throw new Error(`espsync --version exited ${r.exit ?? r.signal}: ${r.stderr}`);
    samplesS.push(r.durationMs / 1000);
  }
  const sorted = [...samplesS].sort((a, b) => a - b);
  return { medianS: sorted[Math.floor(sorted.length / 2)] as number, samplesS };
}

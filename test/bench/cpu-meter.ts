/**
 * Host CPU of a flashing strategy, without the chip: the simulator runs in this process, so the CPU
 * spent inside `Device` calls (protocol code and the simulated chip) is measured and subtracted from
 * the process CPU of the whole run. What remains is the strategy's own host work: probing state,
 * planning, MD5 of targets, compression. It is split at the first write or erase: before it is
 * planning, after it is compression and verification bookkeeping. Measured, so it varies run to run.
 */
import type { Device } from "../../src/protocol/device.js";

/** Host CPU of one run, microseconds (user + system). */
export interface HostCpu {
  /** Outside Device calls, before the first write/erase: probing and planning. */
  readonly planUs: number;
  /** Outside Device calls, from the first write/erase on: compression and verification hashing. */
  readonly writeUs: number;
  /** Inside Device calls (protocol + in-process simulator): not the strategy's cost. */
  readonly deviceUs: number;
}

function cpuUs(since?: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}

/** Counts CPU around a run; hand `wrap(device)` to the strategy. */
export class CpuMeter {
  private start: NodeJS.CpuUsage | undefined;
  private insideUs = 0;
  private planOutsideUs: number | undefined;
  private depth = 0;

  /** Starts counting (call right before the strategy runs). */
  begin(): void {
    this.start = process.cpuUsage();
    this.insideUs = 0;
    this.planOutsideUs = undefined;
  }

  /** Stops counting and returns the split. */
  end(): HostCpu {
    const total = this.start ? cpuUs(this.start) : 0;
    const outside = Math.max(0, total - this.insideUs);
    const plan = Math.min(outside, this.planOutsideUs ?? outside);
    return { planUs: plan, writeUs: outside - plan, deviceUs: this.insideUs };
  }

  /** The same device, with every call's CPU counted as inside. */
  wrap(device: Device): Device {
    const timed = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, writes = false) =>
      async (...args: A): Promise<R> => {
        if (writes && this.planOutsideUs === undefined && this.start) this.planOutsideUs = cpuUs(this.start) - this.insideUs;
        const t0 = process.cpuUsage();
        this.depth++;
        try {
          return await fn(...args);
        } finally {
          this.depth--;
          if (this.depth === 0) this.insideUs += cpuUs(t0);
        }
      };
    return {
      chip: device.chip,
      md5: timed(device.md5.bind(device)),
      md5Many: timed(device.md5Many.bind(device)),
      write: timed(device.write.bind(device), true),
      eraseRegion: timed(device.eraseRegion.bind(device), true),
      eraseAll: timed(device.eraseAll.bind(device), true),
      read: timed(device.read.bind(device)),
      finish: timed(device.finish.bind(device)),
      close: timed(device.close.bind(device)),
    };
  }
}

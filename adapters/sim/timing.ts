/**
 * Deterministic virtual-time model used by benchmarks. Nothing sleeps: every byte and every flash
 * operation advances virtual clocks, and `virtualTimeS` is the modelled wall time.
 *
 * Model: the host is infinitely fast. `hostClock` is the latest virtual arrival time of any byte
 * already delivered to the host. Host writes of k bytes start at max(hostClock, upFree), occupy the
 * uplink for k·(wire time per byte) and arrive `latencyS` later. The chip starts a command at
 * max(arrival, chipFree) and is busy for the command's modelled duration (the stub acknowledges
 * data packets before programming them: double buffering). Replies use the downlink the same way.
 */

/** All timing parameters of one link + flash combination. */
export interface TimingProfile {
  /** Profile name (for reports). */
  readonly name: string;
  /** `uart`: 10 bits per byte at the current baud; `usb`: fixed throughput regardless of baud. */
  readonly link: "uart" | "usb";
  /** Throughput of a `usb` link, bytes per second (each direction). */
  readonly usbBytesPerS: number;
  /** One-way latency added to every transfer, seconds. */
  readonly latencyS: number;
  /** 4 KiB sector erase, seconds. */
  readonly sectorEraseS: number;
  /** 64 KiB block erase, seconds. */
  readonly blockEraseS: number;
  /** 256-byte page program, seconds. */
  readonly pageProgramS: number;
  /** Flash MD5 throughput, bytes per second. */
  readonly md5BytesPerS: number;
  /** Flash read throughput (READ_FLASH), bytes per second. */
  readonly readBytesPerS: number;
}

/** Built-in profiles: the one table every number lives in. */
export const TIMING_PROFILES = {
  /** CP2102/CH340-class bridge: paced by the baud rate, ~1 ms USB frame latency each way. */
  "usb-uart": {
    name: "usb-uart", link: "uart", usbBytesPerS: 0, latencyS: 0.001,
    sectorEraseS: 0.045, blockEraseS: 0.25, pageProgramS: 0.0007, md5BytesPerS: 2.5e6, readBytesPerS: 10e6,
  },
  /** The chip's own USB-Serial/JTAG: ~1 MB/s whatever the baud, ~0.1 ms latency. */
  "usb-serial-jtag": {
    name: "usb-serial-jtag", link: "usb", usbBytesPerS: 1e6, latencyS: 0.0001,
    sectorEraseS: 0.045, blockEraseS: 0.25, pageProgramS: 0.0007, md5BytesPerS: 2.5e6, readBytesPerS: 10e6,
  },
} as const satisfies Record<string, TimingProfile>;

/** Name of a built-in timing profile. */
export type TimingProfileName = keyof typeof TIMING_PROFILES;

/** Virtual clocks of one simulated link. */
export class VirtualClock {
  private hostClock = 0;
  private upFree = 0;
  private downFree = 0;
  private chipFree = 0;

  constructor(readonly profile: TimingProfile) {}

  /** The modelled wall time so far. */
  get nowS(): number {
    return Math.max(this.hostClock, this.upFree, this.downFree, this.chipFree);
  }

  /** When the chip finishes its current work. */
  get chipFreeS(): number {
    return this.chipFree;
  }

  /** Restarts all clocks at 0. */
  reset(): void {
    this.hostClock = this.upFree = this.downFree = this.chipFree = 0;
  }

  /** Seconds `bytes` occupy the link at `baud`. */
  wireS(bytes: number, baud: number): number {
    return this.profile.link === "uart" ? (bytes * 10) / baud : bytes / this.profile.usbBytesPerS;
  }

  /** The host wrote `bytes`; returns their arrival time at the chip. */
  hostWrite(bytes: number, baud: number): number {
    const start = Math.max(this.hostClock, this.upFree);
    this.upFree = start + this.wireS(bytes, baud);
    return this.upFree + this.profile.latencyS;
  }

  /** The chip starts work that arrived at `arrivalS`; returns the start time. */
  startWork(arrivalS: number): number {
    return Math.max(arrivalS, this.chipFree);
  }

  /** The chip is busy until `untilS`. */
  busyUntil(untilS: number): void {
    this.chipFree = Math.max(this.chipFree, untilS);
  }

  /** The chip sends `bytes` ready at `readyS`; returns their arrival time at the host. */
  chipSend(bytes: number, readyS: number, baud: number): number {
    const start = Math.max(readyS, this.downFree);
    this.downFree = start + this.wireS(bytes, baud);
    return this.downFree + this.profile.latencyS;
  }

  /** Bytes that arrive at `arrivalS` were handed to the host. */
  delivered(arrivalS: number): void {
    this.hostClock = Math.max(this.hostClock, arrivalS);
  }

  /** Modelled duration of erasing sectors/blocks and programming bytes. */
  flashWorkS(work: { sectors?: number; blocks?: number; programBytes?: number; md5Bytes?: number; readBytes?: number }): number {
    const p = this.profile;
    return (
      (work.sectors ?? 0) * p.sectorEraseS +
      (work.blocks ?? 0) * p.blockEraseS +
      Math.ceil((work.programBytes ?? 0) / 256) * p.pageProgramS +
      (work.md5Bytes ?? 0) / p.md5BytesPerS +
      (work.readBytes ?? 0) / p.readBytesPerS
    );
  }
}

/** Resolves a profile name or full parameters; throws on unknown names. */
export function resolveTimingProfile(timing: TimingProfileName | TimingProfile): TimingProfile {
  if (typeof timing !== "string") return timing;
  const p = (TIMING_PROFILES as Record<string, TimingProfile>)[timing];
  if (!p) throw new Error(`unknown timing profile ${timing}`);
  return p;
}

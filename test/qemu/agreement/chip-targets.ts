/**
 * The two chips an agreement case runs on: QEMU (the real mask ROM, then the real flasher stub)
 * and the simulator served over real TCP by the built `espsync sim` binary. Both start with an
 * erased 4 MiB flash and keep it across resets, so the same request sequence meets the same state.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSimProcess, type SimProcess } from "../../e2e/sim-process.js";
import { QemuMachine, type QemuChipName } from "./qemu-rig.js";
import { RawLink } from "./raw-link.js";
import { SimResetLines } from "./sim-reset-lines.js";

/** A chip the agreement cases can talk to. */
export interface ChipTarget {
  readonly name: "qemu" | "sim";
  /** Resets the chip into the ROM loader (flash kept) and returns a new connection to it. */
  reset(): Promise<RawLink>;
  /** Stops the chip and removes its files. */
  stop(): Promise<void>;
}

/** QEMU's machine; a reset is the monitor's `system_reset`. */
export class QemuTarget implements ChipTarget {
  readonly name = "qemu";
  private link: RawLink | undefined;

  private constructor(private readonly machine: QemuMachine) {}

  /** Boots QEMU for `chip`. */
  static async start(chip: QemuChipName): Promise<QemuTarget> {
    return new QemuTarget(await QemuMachine.start(chip));
  }

  async reset(): Promise<RawLink> {
    this.link?.close();
    await this.machine.reset();
    this.link = await RawLink.open(this.machine.port);
    return this.link;
  }

  async stop(): Promise<void> {
    this.link?.close();
    await this.machine.stop();
  }
}

/**
 * The simulator as a user runs it: `espsync sim --chip CHIP --listen 127.0.0.1:0`, plus an RFC 2217
 * port for its reset lines (raw TCP has none). A reset pulls the lines like a dev board's
 * auto-reset circuit; the flash file is the process's own and persists.
 */
export class SimTarget implements ChipTarget {
  readonly name = "sim";
  private process: SimProcess | undefined;
  private link: RawLink | undefined;
  private lines: SimResetLines | undefined;
  private readonly dir = mkdtempSync(path.join(tmpdir(), "espsync-agree-sim-"));

  private constructor(private readonly chip: QemuChipName) {}

  /** Prepares a simulated `chip` (started by the first reset). */
  static create(chip: QemuChipName): SimTarget {
    return new SimTarget(chip);
  }

  async reset(): Promise<RawLink> {
    if (!this.process) {
      this.process = await startSimProcess(["--chip", this.chip, "--listen", "127.0.0.1:0", "--rfc2217", "127.0.0.1:0"], 2, path.join(this.dir, "flash.bin"));
      const port = (scheme: string): number => Number(new RegExp(`^${scheme}://[\\d.]+:(\\d+)$`).exec(this.process?.addresses.find((a) => a.startsWith(scheme)) ?? "")?.[1]);
      this.link = await RawLink.open(port("socket"));
      this.lines = await SimResetLines.open(port("rfc2217"));
    }
    const link = this.link as RawLink;
    link.drain();
    await this.lines?.resetIntoDownload();
    // The lines and the data travel on different sockets: wait for the boot banner, so that nothing
    // sent next can reach the chip before the reset did.
    if (!(await link.waitForText(/waiting for download/, 5000))) throw new Error("sim: no download-mode banner after the reset");
    link.drain();
    return link;
  }

  async stop(): Promise<void> {
    this.link?.close();
    this.lines?.close();
    await this.process?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

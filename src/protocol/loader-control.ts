/**
 * Which loader the chip runs, and at what rate, once connected — and the one way back to the ROM.
 *
 * The flasher stub is uploaded when an operation first needs it ({@link LoaderControl.ensureStub}),
 * then both sides switch to the transfer rate. Three events reset a chip espsync is already talking
 * to, and all go through one restart (esptool-js's reset and sync at the ROM rate, PROTOCOL.md §3.1):
 *
 * - a stub upload whose reply was lost leaves the ROM mid-load (stub-upload.ts): restart, upload again;
 * - the chip is lost at a new rate (baud-change.ts): back to the ROM at its rate, with the stub again
 *   if it was running, else with the ROM's flash attach;
 * - `Device.recover` after the chip reset or went silent (recover.ts): back to the ROM at its rate
 *   with the flash attach; the stub follows on demand, and the session stays at the ROM rate, since
 *   a rate problem may be why the chip was lost.
 */
import type { ESPLoader } from "esptool-js";
import type { Port } from "../transport/port.js";
import { changeBaudRate } from "./baud-change.js";
import type { CommandLink } from "./command-link.js";
import type { ResolvedConnectOptions } from "./connect-options.js";
import type { BeforeMode, ChipName } from "./device.js";
import { attachFlash } from "./flash-attach.js";
import type { LinkWatch } from "./link-watch.js";
import { withRegisterCache } from "./register-cache.js";
import { romRateSurvivesStub } from "./rom-uart.js";
import { uploadStub, type StubUploadContext } from "./stub-upload.js";

/** What the control needs from the connect flow. */
export interface LoaderControlContext {
  readonly loader: ESPLoader;
  readonly link: CommandLink;
  /** Paused while espsync itself resets the chip or starts the stub (expected traffic). */
  readonly watch: LinkWatch;
  /** Whether it sets its own rate decides who follows the chip (baud-change.ts). */
  readonly port: Port;
  readonly chip: ChipName;
  readonly opts: ResolvedConnectOptions;
  /** How the session entered download mode; a restart repeats it. */
  readonly before: BeforeMode;
  /** eFuse words read while connecting, served again to the stub upload and the ROM rate request. */
  readonly registers: ReadonlyMap<number, number>;
  /** Upload the stub when an operation needs it (false: ROM only, or Secure Download Mode). */
  readonly wantStub: boolean;
  /** The rate to switch to; undefined to stay at the ROM rate. */
  readonly transferBaud: number | undefined;
}

/** See the module comment. */
export class LoaderControl {
  /** Flash size from RDID, 0 until read or when unknown: the ROM is told again after a reset. */
  flashSizeBytes = 0;
  /** Set by a recovery's reset: the session stays at the ROM rate (a rate problem may be why). */
  private stayAtRomRate = false;
  private readonly stubContext: StubUploadContext;

  constructor(private readonly ctx: LoaderControlContext) {
    const { loader, link, chip, opts, registers } = ctx;
    this.stubContext = {
      loader, link, chip, registers, romBaudRate: opts.romBaudRate, timeouts: opts.timeouts, log: opts.log,
      // Told neither to reset nor to sync (no_reset_no_sync): a failed upload is reported, not retried.
      restart: ctx.before === "no_reset_no_sync" ? undefined : () => this.restart(),
    };
  }

  /** Whether operations that need the stub get it (see {@link LoaderControlContext.wantStub}). */
  get wantStub(): boolean {
    return this.ctx.wantStub;
  }

  /** The rate the session switches to (see {@link LoaderControlContext.transferBaud}). */
  get transferBaud(): number | undefined {
    return this.ctx.transferBaud;
  }

  /**
   * At connect, while the ROM runs: switches to the transfer rate now, unless the stub would fall
   * back to the ROM's rate when it starts (rom-uart.ts); then the stub's upload switches instead.
   */
  async switchInRom(): Promise<void> {
    const { loader, registers, wantStub, chip } = this.ctx;
    if (wantStub && !romRateSurvivesStub(chip)) return;
    const baudRate = this.pendingRate();
    if (baudRate !== undefined) await withRegisterCache(loader, registers, () => this.switchRate(baudRate));
  }

  /** Uploads the stub (and sets the transfer rate) unless it runs or the session is ROM-only. */
  async ensureStub(): Promise<void> {
    const { watch, link } = this.ctx;
    if (!this.ctx.wantStub || link.state.stub) return;
    watch.pause(); // the stub's start-up is expected traffic
    try {
      await uploadStub(this.stubContext);
      const baudRate = this.stayAtRomRate ? undefined : this.pendingRate();
      if (baudRate !== undefined) await this.switchRate(baudRate);
    } finally {
      watch.arm();
    }
  }

  /** `Session.reconnect`: after the chip reset or went silent, back to the ROM at its rate. */
  async reconnect(): Promise<void> {
    const { watch } = this.ctx;
    watch.pause();
    await this.restart();
    this.stayAtRomRate = true;
    watch.arm(); // forgets the reset that made this necessary; the chip is back in the ROM
    await this.attachFlash();
  }

  /** The transfer rate when the link is not at it yet. */
  private pendingRate(): number | undefined {
    const { transferBaud, link } = this.ctx;
    return transferBaud !== undefined && transferBaud !== link.state.baudRate ? transferBaud : undefined;
  }

  private switchRate(baudRate: number): Promise<number> {
    const { loader, link, opts, chip, port } = this.ctx;
    const reconnect = (): Promise<void> => this.afterLostRate();
    return changeBaudRate({ loader, link, timeouts: opts.timeouts, romBaudRate: opts.romBaudRate, chip, log: opts.log, port, reconnect }, baudRate);
  }

  /** Lost at a new rate: back to the ROM at its rate, with the stub again if it was running. */
  private async afterLostRate(): Promise<void> {
    const hadStub = this.ctx.link.state.stub;
    await this.restart();
    if (hadStub) await uploadStub(this.stubContext);
    else await this.attachFlash();
  }

  /** The one restart: close the port, reset into download mode and sync at the ROM rate. */
  private async restart(): Promise<void> {
    const { loader, link, opts, before } = this.ctx;
    const state = link.state;
    await loader.transport.disconnect().catch(() => undefined);
    state.portClosed = false; // closed by us: a failure below is the chip's, not a lost port
    state.stub = false;
    loader.IS_STUB = false;
    state.baudRate = opts.romBaudRate;
    // A session that found the chip without syncing needs the sync now: the chip was lost.
    await loader.connect(before === "no_reset_no_sync" ? "no_reset" : before, opts.connectAttempts, false);
  }

  private attachFlash(): Promise<void> {
    return attachFlash(this.ctx.link, this.ctx.opts.timeouts.defaultMs, this.flashSizeBytes);
  }
}

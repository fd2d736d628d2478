/**
 * Opening a port and connecting to the chip behind it with the global options, and letting go of
 * it again (after-reset, close, and for a file-backed virtual chip: its flash on disk).
 */
import { listSerialPorts, openPort, VirtualChip, type OpenPortOptions, type SerialPortListing } from "../../../adapters/index.js";
import type { AfterMode, Device } from "../../protocol/device.js";
import { connect } from "../../protocol/index.js";
import type { Port } from "../../transport/port.js";
import type { GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";
import type { PortFinder } from "./select-ports.js";

/** A connected board. */
export interface BoardLink {
  readonly url: string;
  readonly port: Port;
  readonly device: Device;
}

/** Where connect's chatter goes. */
export interface ConnectLogs {
  /** Human progress lines (`Connecting…`, `Chip is …`), shown with --verbose. */
  readonly log: (line: string) => void;
  /** Lines the user should see without --verbose (how the connection deviates from what was asked). */
  readonly notice?: (line: string) => void;
  /** Decoded protocol lines, only with --trace. */
  readonly trace?: (line: string) => void;
  /** Each reset-and-sync attempt as it starts (for Ctrl-C's notice). */
  readonly onAttempt?: (attempt: number, attempts: number) => void;
}

/**
 * The port opener: the io hook (tests, embedders) or the adapters, told the CLI's working directory
 * so a `sim:` URL's relative `file=` means the same as a relative image path.
 */
export function portOpener(io: CliIo): (url: string, options?: OpenPortOptions) => Port {
  const open = io.openPort ?? openPort;
  return (url, options) => open(url, { cwd: io.cwd, ...options });
}

/** The serial port lister: the io hook or the adapters. */
export function portLister(io: CliIo): () => Promise<SerialPortListing[]> {
  return io.listSerialPorts ?? (() => listSerialPorts());
}

/** Opens `url` and connects (reset into download mode, sync, stub, baud). Throws EspsyncError. */
export async function connectBoard(url: string, io: CliIo, globals: GlobalOptions, logs: ConnectLogs, overrides: { stub?: boolean } = {}): Promise<BoardLink> {
  const port = portOpener(io)(url);
  const device = await connect(port, {
    before: globals.before,
    ...(globals.resetSequence !== undefined && { resetSequence: globals.resetSequence }),
    connectAttempts: globals.connectAttempts,
    stub: overrides.stub ?? globals.stub,
    ...(globals.baud !== undefined && { baudRate: globals.baud }),
    ...(globals.chip !== "auto" && { expectedChip: globals.chip }),
    log: logs.log,
    ...(logs.notice !== undefined && { notice: logs.notice }),
    ...(logs.trace !== undefined && { trace: logs.trace }),
    ...(logs.onAttempt !== undefined && { onAttempt: logs.onAttempt }),
    // Ctrl-C stops the connect between attempts instead of trying them all.
    signal: io.signal,
  });
  return { url, port, device };
}

/** Finishes (`after`) or, with `"close"`, only releases the port; never throws. */
export async function releaseBoard(link: BoardLink, after: AfterMode | "close"): Promise<string | undefined> {
  let problem: string | undefined;
  try {
    if (after === "close") await link.device.close();
    else await link.device.finish(after);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
    await link.device.close().catch(() => undefined);
  }
  flushVirtualFlash(link.port);
  return problem;
}

/** A `sim:…&file=` chip saves its flash lazily; make the file current before the process exits. */
export function flushVirtualFlash(port: Port): void {
  const chip = (port as { chip?: unknown }).chip;
  if (chip instanceof VirtualChip) chip.flushFlashFile();
}

/** A {@link PortFinder} for `--port auto|serial:|mac:` over the io hooks. */
export function portFinder(io: CliIo, globals: GlobalOptions): PortFinder {
  return {
    list: portLister(io),
    readMac: async (url) => {
      // The ROM knows the MAC: no stub, no baud change, just identify and let go.
      const link = await connectBoard(url, io, { ...globals, baud: 115200 }, { log: () => undefined }, { stub: false });
      await releaseBoard(link, "close");
      return link.device.chip.mac.toLowerCase();
    },
  };
}

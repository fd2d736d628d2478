/**
 * The baud rate a session switches to once connected (PROTOCOL.md §3.1 step 8, §12), which depends
 * on who can follow the chip when it changes rate.
 */
import type { Port } from "../transport/port.js";
import { DEFAULT_BAUD_RATE, type ResolvedConnectOptions } from "./connect-options.js";

/**
 * The rate to switch to once connected, or undefined to stay at the ROM rate. A port that sets its
 * own rate gets the one asked for (default 921600). One that cannot (raw TCP) switches only when a
 * rate was asked for explicitly, because then only the far end can follow the chip: QEMU's emulated
 * UART does (as the Python esptool assumes on `socket://`), a raw TCP-to-serial bridge does not.
 */
export function transferBaudRate(port: Port, opts: ResolvedConnectOptions): number | undefined {
  if (port.capabilities.setBaudRate) return opts.baudRate ?? DEFAULT_BAUD_RATE;
  if (opts.baudRate === undefined) {
    opts.notice(`${port.info.path} sets no baud rate of its own: staying at ${opts.romBaudRate} baud (ask for a rate, e.g. --baud 921600, to switch the chip when the far end follows it).`);
  }
  return opts.baudRate;
}

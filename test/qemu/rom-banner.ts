/**
 * Listening on an emulated chip's UART for the ROM's boot banner, so that a reset is known to have
 * happened, and the loader to be listening, before espsync connects.
 *
 * Why the rig waits: QEMU runs a monitor command when its main loop gets to it, which on a busy
 * host can be after `qemu-monitor.sh` has returned; espsync then met the previous session's stub
 * and the ROM's banner arrived in the middle of its connect. And under instruction counting the
 * ESP32 ROM takes seconds to boot, where silicon prints its banner within milliseconds of reset.
 */
import { connect, type Socket } from "node:net";
import type { QemuChip } from "./qemu-env.js";

/** The end of the download-mode banner each ROM prints at reset, as seen under QEMU (PROTOCOL.md §10). */
export const BANNER_END: Record<QemuChip, RegExp> = {
  esp32: /boot:0x[0-9a-fA-F]+ \(.*\)\r?\n/, // rst:0x1 (POWERON_RESET),boot:0xf (UART_BOOT(UART0))
  esp32c3: /download\r?\n/, // wait uart0 download
};

/** A client on the chip's UART that collects what the chip prints. */
export interface UartListener {
  /** Resolves true once `pattern` has been printed (since connecting), false after `timeoutMs`. */
  saw(pattern: RegExp, timeoutMs: number): Promise<boolean>;
  close(): void;
}

/** Connects to 127.0.0.1:`port` (QEMU serves one client at a time: close it before espsync connects). */
export function listenToUart(port: number): Promise<UartListener> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket: Socket = connect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection to the UART on port ${port}`));
    }, 5_000);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve({
        async saw(pattern, timeoutMs) {
          const deadline = Date.now() + timeoutMs;
          while (!pattern.test(text)) {
            if (Date.now() > deadline || socket.destroyed) return false;
            await new Promise((r) => setTimeout(r, 50));
          }
          return true;
        },
        close: () => socket.destroy(),
      });
    });
  });
}

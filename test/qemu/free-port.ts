/** Picking a TCP port nobody listens on, for a QEMU instance's UART. */
import { createServer } from "node:net";

/**
 * A port the kernel just handed out for 127.0.0.1 and that is free again: bind port 0, read the
 * port, close. Another process could take it before QEMU does; start-qemu.sh refuses a port in use,
 * and the caller then simply asks again.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no ephemeral port"))));
    });
  });
}

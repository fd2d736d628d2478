/**
 * Exposes a device (`SerialEndpoint`, e.g. the virtual chip) as a raw TCP server — what esptool's
 * `socket://` and espsync's `TcpPort` connect to, and what Espressif's QEMU offers for its UART.
 * One client at a time; a second concurrent client is refused (its connection is closed at once).
 */
import type { SerialEndpoint } from "../../src/transport/endpoint.js";
import type { HostPort } from "./host-port.js";
import { listenSingleClient, type RunningServer } from "./single-client-server.js";

/**
 * Serves `endpoint` on `address` (port 0 = ephemeral; read the bound port from the result).
 * Bytes from the client go to `endpoint.receive`; bytes the endpoint transmits go to the client (and
 * are dropped while no client is attached, like a UART with nothing on the other end).
 * Rejects with `PORT_BUSY` naming host:port when the address is taken.
 */
export function serveTcp(endpoint: SerialEndpoint, address: HostPort): Promise<RunningServer> {
  return listenSingleClient(
    address,
    (socket) => {
      const stopTransmit = endpoint.onTransmit((data) => {
        if (!socket.destroyed) socket.write(data);
      });
      socket.on("data", (chunk: Buffer) => endpoint.receive(new Uint8Array(chunk)));
      return stopTransmit;
    },
    "TCP server",
  );
}

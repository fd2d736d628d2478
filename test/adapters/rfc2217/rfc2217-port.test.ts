import { spawnSync } from "node:child_process";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EspsyncError } from "../../../src/errors.js";
import { Rfc2217Port } from "../../../adapters/rfc2217/rfc2217-port.js";
import { serveRfc2217 } from "../../../adapters/rfc2217/rfc2217-server.js";
import { servePty } from "../../../adapters/serial/pty-server.js";
import { collect, FakeEndpoint, waitFor } from "../tcp/fake-endpoint.js";
import { hasSocat } from "../serial/pty-pair.js";
import { hasSer2net, startSer2net } from "./ser2net.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function openClient(url: string, baudRate = 115200): Promise<Rfc2217Port> {
  const port = new Rfc2217Port(url);
  cleanups.push(() => port.close());
  await port.open(baudRate);
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<EspsyncError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(EspsyncError);
  return err as EspsyncError;
}

describe("Rfc2217Port against serveRfc2217", () => {
  async function setup(): Promise<{ endpoint: FakeEndpoint; port: Rfc2217Port }> {
    const endpoint = new FakeEndpoint();
    const server = await serveRfc2217(endpoint, { host: "127.0.0.1", port: 0 });
    cleanups.push(() => server.close());
    const port = await openClient(`rfc2217://127.0.0.1:${server.port}`, 460800);
    return { endpoint, port };
  }

  it("sets the baud rate on open and on setBaudRate, and DTR/RTS reach the endpoint in order", async () => {
    const { endpoint, port } = await setup();
    expect(port.baudRate).toBe(460800);
    await port.setLines({ dtr: false, rts: true });
    await port.setLines({ dtr: true, rts: false });
    await port.setLines({ dtr: false, rts: false });
    await port.setBaudRate(921600);

    expect(port.baudRate).toBe(921600);
    expect(port.controlLinesState).toBe("present");
    expect(port.capabilities).toEqual({ controlLines: true, setBaudRate: true });
    // The server applies DTR then RTS, each keeping the other's last state (esptool's order).
    expect(endpoint.events).toEqual([
      { kind: "baud", baudRate: 460800 },
      { kind: "lines", dtr: false, rts: false },
      { kind: "lines", dtr: false, rts: true },
      { kind: "lines", dtr: true, rts: true },
      { kind: "lines", dtr: true, rts: false },
      { kind: "lines", dtr: false, rts: false },
      { kind: "lines", dtr: false, rts: false },
      { kind: "baud", baudRate: 921600 },
    ]);
  });

  it("passes every byte value both ways, 0xFF included, without telnet escapes reaching either side", async () => {
    const { endpoint, port } = await setup();
    const fromChip = collect(port);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);

    await port.write(all);
    await waitFor(() => endpoint.received.length === 256, "256 bytes at the endpoint");
    expect(endpoint.received).toEqual([...all]);

    endpoint.transmit(Uint8Array.of(0xff, 0xff, 0xfa, 0x2c, 0xf0));
    await waitFor(() => fromChip.length === 5, "5 bytes at the client");
    expect(fromChip).toEqual([0xff, 0xff, 0xfa, 0x2c, 0xf0]);
  });

  it("purges without error", async () => {
    const { port } = await setup();
    await port.purge("both");
    await port.purge("receive");
  });

  it("reports the server going away through onClose(PORT_CLOSED)", async () => {
    const endpoint = new FakeEndpoint();
    const server = await serveRfc2217(endpoint, { host: "127.0.0.1", port: 0 });
    const port = await openClient(`rfc2217://127.0.0.1:${server.port}`);
    const closes: (Error | undefined)[] = [];
    port.onClose((e) => closes.push(e));
    await server.close();
    await waitFor(() => closes.length === 1, "onClose");
    expect((closes[0] as EspsyncError).code).toBe("PORT_CLOSED");
    expect((await rejection(port.write(Uint8Array.of(1)))).code).toBe("PORT_CLOSED");
    expect((await rejection(port.setBaudRate(9600))).code).toBe("PORT_CLOSED");
  });
});

describe("Rfc2217Port against servers that do not cooperate", () => {
  /** A TCP server that runs `onClient` for each connection and records what it received. */
  async function rawServer(onClient: (socket: Socket, received: number[]) => void): Promise<{ url: string; received: number[] }> {
    const received: number[] = [];
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on("data", (chunk) => received.push(...chunk));
      onClient(socket, received);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    return { url: `rfc2217://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
  }

  it("rejects open with PROTOCOL_ERROR when the server never agrees to COM-PORT-OPTION (a raw TCP server)", async () => {
    const { url } = await rawServer(() => undefined);
    const port = new Rfc2217Port(url, { ackTimeoutMs: 200 });
    const err = await rejection(port.open(115200));
    expect(err.code).toBe("PROTOCOL_ERROR");
    expect(err.message).toContain(url);
    expect(err.hint).toMatch(/socket:\/\//);
  });

  it("rejects open with TIMEOUT when SET-BAUDRATE is never acknowledged", async () => {
    // Agrees to COM-PORT-OPTION (IAC DO 44) but answers nothing else.
    const { url, received } = await rawServer((socket) => socket.write(Uint8Array.of(0xff, 0xfd, 44)));
    const port = new Rfc2217Port(url, { ackTimeoutMs: 200 });
    const err = await rejection(port.open(115200));
    expect(err.code).toBe("TIMEOUT");
    expect(err.message).toContain("SET-BAUDRATE 115200");
    // What the client sent: negotiation, 8N1, then SET-BAUDRATE 115200.
    expect(received).toEqual([
      0xff, 0xfb, 0, 0xff, 0xfb, 3, 0xff, 0xfb, 44, 0xff, 0xfd, 0, 0xff, 0xfd, 3,
      0xff, 0xfa, 44, 2, 8, 0xff, 0xf0,
      0xff, 0xfa, 44, 3, 1, 0xff, 0xf0,
      0xff, 0xfa, 44, 4, 1, 0xff, 0xf0,
      0xff, 0xfa, 44, 1, 0, 1, 0xc2, 0, 0xff, 0xf0,
    ]);
  });
});

/** Speed of a terminal as the kernel has it (read with stty, independent of the code under test). */
function ttySpeed(path: string): number {
  return Number(spawnSync("stty", ["-F", path, "speed"], { encoding: "utf8" }).stdout.trim());
}

describe.skipIf(!hasSer2net || !hasSocat)("Rfc2217Port against a real ser2net in front of a pseudo-terminal (needs ser2net, socat)", () => {
  it("moves data both ways, sets the baud rate, and finds no control lines (SET-CONTROL is never acknowledged)", async () => {
    const endpoint = new FakeEndpoint(true); // echoes what it receives
    const pty = await servePty(endpoint);
    cleanups.push(() => pty.close());
    const ser2net = await startSer2net(pty.path);
    cleanups.push(() => ser2net.close());

    const port = await openClient(`rfc2217://127.0.0.1:${ser2net.port}`, 115200);
    const fromChip = collect(port);
    const payload = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    await port.write(payload);
    await waitFor(() => fromChip.length === 256, "the echo through ser2net");
    expect(endpoint.received).toEqual([...payload]);
    expect(fromChip).toEqual([...payload]);

    await port.setBaudRate(921600);
    expect(port.baudRate).toBe(921600);
    expect(ttySpeed(pty.path)).toBe(921600);

    expect(port.controlLinesState).toBe("unknown");
    await port.setLines({ dtr: false, rts: true });
    expect(port.controlLinesState).toBe("absent");
    expect(port.capabilities.controlLines).toBe(false);
    await port.setLines({ dtr: true, rts: false }); // now a no-op
    expect(endpoint.events).toEqual([]); // a pty carries no lines to the device

    await port.write(Uint8Array.of(0x55));
    await waitFor(() => fromChip.length === 257, "data after the unanswered SET-CONTROL");
  });
});

import { createServer, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EspsyncError } from "../../../src/errors.js";
import { TcpPort } from "../../../adapters/tcp/tcp-port.js";
import { serveTcp } from "../../../adapters/tcp/tcp-server.js";
import type { RunningServer } from "../../../adapters/tcp/single-client-server.js";
import { collect, FakeEndpoint, waitFor } from "./fake-endpoint.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function startServer(endpoint: FakeEndpoint): Promise<RunningServer> {
  const server = await serveTcp(endpoint, { host: "127.0.0.1", port: 0 });
  cleanups.push(() => server.close());
  return server;
}

async function openPort(server: RunningServer): Promise<TcpPort> {
  const port = new TcpPort(`socket://127.0.0.1:${server.port}`);
  await port.open(115200);
  cleanups.push(() => port.close());
  return port;
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound once, then released). */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<EspsyncError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(EspsyncError);
  return err as EspsyncError;
}

describe("TcpPort against serveTcp", () => {
  it("moves bytes both ways unchanged, 0xFF included", async () => {
    const endpoint = new FakeEndpoint();
    const port = await openPort(await startServer(endpoint));
    const fromChip = collect(port);

    await port.write(Uint8Array.of(0xc0, 0xff, 0x00, 0xdb, 0xff));
    await waitFor(() => endpoint.received.length === 5, "5 bytes at the endpoint");
    expect(endpoint.received).toEqual([0xc0, 0xff, 0x00, 0xdb, 0xff]);

    endpoint.transmit(Uint8Array.of(0xff, 0xfa, 0x2c, 0x01));
    await waitFor(() => fromChip.length === 4, "4 bytes at the port");
    expect(fromChip).toEqual([0xff, 0xfa, 0x2c, 0x01]);
  });

  it("has no lines and no baud rate: setLines is a resolved no-op, setBaudRate is UNSUPPORTED", async () => {
    const endpoint = new FakeEndpoint();
    const port = await openPort(await startServer(endpoint));
    expect(port.capabilities).toEqual({ controlLines: false, setBaudRate: false });
    await port.setLines({ dtr: true, rts: false });
    const err = await rejection(port.setBaudRate(921600));
    expect(err.code).toBe("UNSUPPORTED");
    expect(err.message).toContain(port.info.path);
    expect(endpoint.events).toEqual([]);
  });

  it("reports a lost link through onClose(PORT_CLOSED) and rejects later writes with PORT_CLOSED", async () => {
    const endpoint = new FakeEndpoint();
    const server = await startServer(endpoint);
    const port = await openPort(server);
    const closes: (Error | undefined)[] = [];
    port.onClose((e) => closes.push(e));

    await server.close();
    await waitFor(() => closes.length === 1, "onClose");
    expect((closes[0] as EspsyncError).code).toBe("PORT_CLOSED");
    expect(closes[0]?.message).toContain(`socket://127.0.0.1:${server.port}`);
    const err = await rejection(port.write(Uint8Array.of(1)));
    expect(err.code).toBe("PORT_CLOSED");
  });

  it("close() is idempotent and reports a clean close (no error) once", async () => {
    const port = await openPort(await startServer(new FakeEndpoint()));
    const closes: (Error | undefined)[] = [];
    port.onClose((e) => closes.push(e));
    await port.close();
    await port.close();
    expect(closes).toEqual([undefined]);
  });

  it("refuses a second concurrent client, keeps serving the first, then accepts a new one after it leaves", async () => {
    const endpoint = new FakeEndpoint();
    const server = await startServer(endpoint);
    const first = await openPort(server);
    const second = new TcpPort(`socket://127.0.0.1:${server.port}`);
    const secondCloses: (Error | undefined)[] = [];
    second.onClose((e) => secondCloses.push(e));
    await second.open(115200);
    await waitFor(() => secondCloses.length === 1, "the second client to be dropped");
    expect((secondCloses[0] as EspsyncError).code).toBe("PORT_CLOSED");

    await first.write(Uint8Array.of(7));
    await waitFor(() => endpoint.received.length === 1, "the first client's byte");
    await first.close();
    await waitFor(() => endpoint.listenerCount === 0, "the server to notice the first client left");

    const third = await openPort(server);
    await third.write(Uint8Array.of(8));
    await waitFor(() => endpoint.received.length === 2, "the third client's byte");
    expect(endpoint.received).toEqual([7, 8]);
  });
});

describe("TcpPort open failures", () => {
  it("maps a refused connection to CONNECT_REFUSED naming the URL", async () => {
    const url = `socket://127.0.0.1:${await unusedPort()}`;
    const err = await rejection(new TcpPort(url).open(115200));
    expect(err.code).toBe("CONNECT_REFUSED");
    expect(err.message).toContain(url);
    expect(err.hint).toMatch(/server running/);
  });

  it("maps an unknown host to PORT_NOT_FOUND", async () => {
    const err = await rejection(new TcpPort("socket://no-such-host.invalid:5555").open(115200));
    expect(err.code).toBe("PORT_NOT_FOUND");
    expect(err.message).toContain("no-such-host.invalid");
  });

  it.each(["socket://", "socket://host", "socket://host:99999", "tcp://host:1", "host:1"])("rejects the URL %s with USAGE", (url) => {
    expect(() => new TcpPort(url)).toThrow(expect.objectContaining({ code: "USAGE" }));
  });
});

describe("serveTcp", () => {
  it("fails with PORT_BUSY naming host:port when the address is taken", async () => {
    const server = await startServer(new FakeEndpoint());
    const err = await rejection(serveTcp(new FakeEndpoint(), { host: "127.0.0.1", port: server.port }));
    expect(err.code).toBe("PORT_BUSY");
    expect(err.message).toContain(`127.0.0.1:${server.port}`);
  });
});

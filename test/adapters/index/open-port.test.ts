import { afterEach, describe, expect, it } from "vitest";
import { EspsyncError } from "../../../src/errors.js";
import { openPort, portKind, Rfc2217Port, SerialPortPort, serveEndpoint, TcpPort } from "../../../adapters/index.js";
import { serveTcp } from "../../../adapters/tcp/tcp-server.js";
import { SimPort } from "../../../adapters/sim/index.js";
import { FakeEndpoint } from "../tcp/fake-endpoint.js";
import { freePort } from "../rfc2217/ser2net.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe("openPort dispatch", () => {
  it.each([
    ["/dev/ttyUSB0", "serial", SerialPortPort],
    ["/dev/cu.usbserial-0001", "serial", SerialPortPort],
    ["/dev/serial/by-id/usb-Silicon_Labs_CP2102-if00-port0", "serial", SerialPortPort],
    ["COM3", "serial", SerialPortPort],
    ["\\\\.\\COM12", "serial", SerialPortPort],
    ["socket://localhost:5555", "socket", TcpPort],
    ["rfc2217://192.168.1.10:4000", "rfc2217", Rfc2217Port],
    ["sim:esp32c3", "sim", SimPort],
  ] as const)("%s opens a port of kind %s (unopened)", (url, kind, type) => {
    const port = openPort(url);
    expect(port).toBeInstanceOf(type);
    expect(port.info.path).toBe(url);
    expect(portKind(url)).toBe(kind);
  });

  it.each(["ttyUSB0", "tcp://localhost:1", "serial:/dev/ttyUSB0", "", "COM"])("rejects %j with USAGE listing the accepted forms", (url) => {
    let err: unknown;
    try {
      openPort(url);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EspsyncError);
    expect((err as EspsyncError).code).toBe("USAGE");
    expect((err as EspsyncError).message).toBe(`unknown port ${JSON.stringify(url)}`);
    expect((err as EspsyncError).hint).toMatch(/socket:\/\/HOST:PORT.*rfc2217:\/\/HOST:PORT.*sim:/);
  });

  it("rejects a malformed network URL with USAGE", () => {
    expect(() => openPort("socket://localhost")).toThrow(expect.objectContaining({ code: "USAGE" }));
    expect(() => openPort("rfc2217://:4000")).toThrow(expect.objectContaining({ code: "USAGE" }));
  });
});

describe("serveEndpoint", () => {
  it("stops the servers it already started when a later one cannot start (PORT_BUSY)", async () => {
    const taken = await serveTcp(new FakeEndpoint(), { host: "127.0.0.1", port: 0 });
    cleanups.push(() => taken.close());
    const listenPort = await freePort();

    const err = await serveEndpoint(new FakeEndpoint(), { listen: `127.0.0.1:${listenPort}`, rfc2217: `127.0.0.1:${taken.port}` }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EspsyncError);
    expect((err as EspsyncError).code).toBe("PORT_BUSY");
    expect((err as EspsyncError).message).toBe(`RFC 2217 server: 127.0.0.1:${taken.port} is already in use`);

    // The raw TCP server started first was stopped again: its port is free.
    const again = await serveTcp(new FakeEndpoint(), { host: "127.0.0.1", port: listenPort });
    await again.close();
  });

  it("returns connectable URLs for the bound ephemeral ports", async () => {
    const served = await serveEndpoint(new FakeEndpoint(), { listen: "127.0.0.1:0", rfc2217: "0" });
    cleanups.push(() => served.close());
    expect(served.addresses.listen).toMatch(/^socket:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(served.addresses.rfc2217).toMatch(/^rfc2217:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(served.addresses.pty).toBeUndefined();
  });
});


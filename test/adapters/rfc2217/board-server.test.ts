/**
 * One board behind `serveBoard` (what `espsync serve` runs per board), with espsync's RFC 2217 client
 * on the other side of a real TCP connection and a recording stand-in for the board's port: the port
 * is opened per client and closed when it leaves, operations reach it in the client's order even when
 * the port is slow, and every way of not getting the board is a clear error at the client.
 */
import { afterEach, describe, expect, it } from "vitest";
import { serveBoard, type BoardServer, type BoardServerEvent } from "../../../adapters/rfc2217/board-server.js";
import { Rfc2217Port } from "../../../adapters/rfc2217/rfc2217-port.js";
import { EspsyncError } from "../../../src/errors.js";
import { PortListeners } from "../../../src/transport/port-listeners.js";
import type { ControlLines, Port } from "../../../src/transport/port.js";
import { waitFor } from "../tcp/fake-endpoint.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A board's port that records what happens to it; `setLines` takes `linesDelayMs`. */
class RecordingPort implements Port {
  readonly info = { path: "/dev/ttyFAKE0" };
  readonly capabilities = { controlLines: true, setBaudRate: true };
  baudRate = 0;
  readonly log: string[] = [];
  openError: Error | undefined;
  private readonly listeners = new PortListeners();

  constructor(private readonly linesDelayMs = 0) {}

  async open(baudRate: number): Promise<void> {
    if (this.openError) throw this.openError;
    this.listeners.reset();
    this.baudRate = baudRate;
    this.log.push(`open ${baudRate}`);
  }
  async write(data: Uint8Array): Promise<void> {
    this.log.push(`write ${[...data].join(",")}`);
  }
  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.listeners.addData(listener);
  }
  onClose(listener: (error?: Error) => void): () => void {
    return this.listeners.addClose(listener);
  }
  async setLines(lines: ControlLines): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.linesDelayMs));
    this.log.push(`lines D${Number(lines.dtr)}R${Number(lines.rts)}`);
  }
  async setBaudRate(baudRate: number): Promise<void> {
    this.log.push(`baud ${baudRate}`);
  }
  async close(): Promise<void> {
    this.log.push("close");
    this.listeners.emitClose();
  }
  /** The device vanishes. */
  vanish(): void {
    this.log.push("vanished");
    this.listeners.emitClose(new EspsyncError("PORT_CLOSED", "/dev/ttyFAKE0 disappeared", { hint: "Plug it back in." }));
  }
  /** The board sends bytes. */
  send(bytes: number[]): void {
    this.listeners.emitData(Uint8Array.from(bytes));
  }
}

async function start(port: RecordingPort | undefined, localReset = false): Promise<{ server: BoardServer; url: string; events: BoardServerEvent[] }> {
  const events: BoardServerEvent[] = [];
  const server = await serveBoard({ address: { host: "127.0.0.1", port: 0 }, label: "/dev/ttyFAKE0 (serial F-1)", localReset, onEvent: (e) => events.push(e) });
  cleanups.push(() => server.close());
  if (port) server.setDevice({ label: "/dev/ttyFAKE0 (serial F-1)", port });
  return { server, url: `rfc2217://127.0.0.1:${server.port}`, events };
}

async function client(url: string): Promise<Rfc2217Port> {
  const port = new Rfc2217Port(url);
  cleanups.push(() => port.close());
  await port.open(115200);
  return port;
}

async function refusal(url: string): Promise<EspsyncError> {
  const error = await new Rfc2217Port(url).open(115200).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(EspsyncError);
  return error as EspsyncError;
}

describe("serveBoard", () => {
  it("opens the port for a client, keeps the client's order even when the lines are slow, and closes it when the client leaves", async () => {
    const board = new RecordingPort(20);
    const { url, events } = await start(board);
    const port = await client(url);
    const received: number[] = [];
    port.onData((chunk) => received.push(...chunk));
    await port.setBaudRate(921600);
    await port.setLines({ dtr: false, rts: true });
    await port.write(Uint8Array.of(0xc0, 0xff, 0xc0));
    board.send([1, 0xff, 2]);
    await waitFor(() => received.length === 3, "the board's bytes at the client");
    await waitFor(() => board.log.includes("write 192,255,192"), "the write at the board");
    await port.close();
    await waitFor(() => board.log.includes("close"), "the port closed");
    expect(received).toEqual([1, 0xff, 2]);
    expect(board.log).toEqual(["open 115200", "baud 921600", "lines D0R0", "lines D0R1", "write 192,255,192", "close"]);
    expect(events.map((e) => e.kind)).toEqual(["connected", "disconnected"]);
  });

  it("tells a client the board is not connected while it is absent (PORT_NOT_FOUND)", async () => {
    const { url } = await start(undefined);
    const error = await refusal(url);
    expect(error.code).toBe("PORT_NOT_FOUND");
    expect(error.message).toBe(`${url}: /dev/ttyFAKE0 (serial F-1) is not connected to the board host`);
  });

  it("tells a client when another program on the board host holds the port (PORT_BUSY)", async () => {
    const board = new RecordingPort();
    board.openError = new EspsyncError("PORT_BUSY", "serial port /dev/ttyFAKE0 is busy", { hint: "Close the other program." });
    const { url, events } = await start(board);
    const error = await refusal(url);
    expect(error.code).toBe("PORT_BUSY");
    expect(error.message).toBe(`${url}: /dev/ttyFAKE0 (serial F-1) is in use by another program on the board host (serial port /dev/ttyFAKE0 is busy)`);
    expect(events.map((e) => e.kind)).toContain("open-failed");
  });

  it("closes the client when the port vanishes, and serves the next client once the board is back", async () => {
    const board = new RecordingPort();
    const { server, url, events } = await start(board);
    const port = await client(url);
    const closed: (Error | undefined)[] = [];
    port.onClose((e) => closed.push(e));
    board.vanish();
    await waitFor(() => closed.length === 1, "the client closed");
    expect((closed[0] as EspsyncError).code).toBe("PORT_CLOSED");
    expect(events.find((e) => e.kind === "lost")).toMatchObject({ kind: "lost", error: { message: "/dev/ttyFAKE0 disappeared" } });

    server.setDevice(undefined); // gone from the port list
    expect((await refusal(url)).code).toBe("PORT_NOT_FOUND");
    const back = new RecordingPort();
    server.setDevice({ label: "/dev/ttyFAKE1 (serial F-1)", port: back });
    const again = await client(url);
    await again.setLines({ dtr: false, rts: false });
    // One SET-CONTROL per line, each applied with the other line's state.
    await waitFor(() => back.log.length === 3, "the lines at the board");
    expect(back.log).toEqual(["open 115200", "lines D0R0", "lines D0R0"]);
  });

  it("disconnects the client when the board is replaced under it (replugged as another device)", async () => {
    const { server, url } = await start(new RecordingPort());
    const port = await client(url);
    const closed: (Error | undefined)[] = [];
    port.onClose((e) => closed.push(e));
    server.setDevice({ label: "/dev/ttyFAKE1 (serial F-1)", port: new RecordingPort() });
    await waitFor(() => closed.length === 1, "the client closed");
  });
});

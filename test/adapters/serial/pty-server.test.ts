import { afterEach, describe, expect, it } from "vitest";
import { EspsyncError } from "../../../src/errors.js";
import { servePty } from "../../../adapters/serial/pty-server.js";
import { SerialPortPort } from "../../../adapters/serial/serial-port-port.js";
import { collect, FakeEndpoint, waitFor } from "../tcp/fake-endpoint.js";
import { hasSocat } from "./pty-pair.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe.skipIf(!hasSocat)("servePty (needs socat)", () => {
  it("serves the endpoint on a pty that can be opened, closed and opened again", async () => {
    const endpoint = new FakeEndpoint(true);
    const pty = await servePty(endpoint);
    cleanups.push(() => pty.close());
    expect(pty.path).toMatch(/^\/dev\/pts\/\d+$/);

    for (const round of [1, 2]) {
      const port = new SerialPortPort(pty.path);
      await port.open(115200);
      const echoed = collect(port);
      await port.write(Uint8Array.of(round, 0xff, 0x00));
      await waitFor(() => echoed.length === 3, `the echo in round ${round}`);
      expect(echoed).toEqual([round, 0xff, 0x00]);
      await port.close();
    }
    expect(endpoint.received).toEqual([1, 0xff, 0x00, 2, 0xff, 0x00]);
  });

  it("close() stops socat: the pty disappears", async () => {
    const pty = await servePty(new FakeEndpoint());
    await pty.close();
    await pty.close(); // idempotent
    const err = await new SerialPortPort(pty.path).open(115200).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(EspsyncError);
    expect((err as EspsyncError).code).toBe("PORT_NOT_FOUND");
  });
});

describe("servePty without socat", () => {
  it("fails with UNSUPPORTED and tells how to install socat", async () => {
    const err = await servePty(new FakeEndpoint(), { socatPath: "socat-not-installed-here" }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(EspsyncError);
    expect((err as EspsyncError).code).toBe("UNSUPPORTED");
    expect((err as EspsyncError).message).toContain("socat-not-installed-here is not installed");
    expect((err as EspsyncError).hint).toContain("apt-get install socat");
  });
});

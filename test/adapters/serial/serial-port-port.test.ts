/**
 * The real `serialport` binding on real pseudo-terminals (socat pty pairs): the same code path a USB
 * serial adapter takes, minus the modem-control lines a pty does not have.
 */
import { spawn, spawnSync } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { EspsyncError } from "../../../src/errors.js";
import { SerialPortPort } from "../../../adapters/serial/serial-port-port.js";
import { collect, waitFor } from "../tcp/fake-endpoint.js";
import { hasSocat, openPtyPair, type PtyPair } from "./pty-pair.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function pair(): Promise<PtyPair> {
  const p = await openPtyPair();
  cleanups.push(() => p.close());
  return p;
}

async function opened(path: string, baudRate = 115200): Promise<SerialPortPort> {
  const port = new SerialPortPort(path);
  await port.open(baudRate);
  cleanups.push(() => port.close());
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<EspsyncError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(EspsyncError);
  return err as EspsyncError;
}

/** The speed the kernel has configured on a terminal, read by stty (independent of serialport). */
function ttySpeed(path: string): number {
  const out = spawnSync("stty", ["-F", path, "speed"], { encoding: "utf8" });
  return Number(out.stdout.trim());
}

describe.skipIf(!hasSocat)("SerialPortPort on a pseudo-terminal pair (needs socat)", () => {
  it("moves bytes both ways unchanged", async () => {
    const { a, b } = await pair();
    const host = await opened(a);
    const device = await opened(b);
    const atDevice = collect(device);
    const atHost = collect(host);
    const payload = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);

    await host.write(payload);
    await waitFor(() => atDevice.length === payload.length, "300 bytes at the device end");
    expect(atDevice).toEqual([...payload]);

    await device.write(Uint8Array.of(0xc0, 0x01, 0xff, 0xc0));
    await waitFor(() => atHost.length === 4, "4 bytes at the host end");
    expect(atHost).toEqual([0xc0, 0x01, 0xff, 0xc0]);
  });

  it("changes the baud rate in place: the kernel's terminal speed follows and data still flows", async () => {
    const { a, b } = await pair();
    const host = await opened(a, 115200);
    const device = await opened(b);
    const atDevice = collect(device);
    expect(ttySpeed(a)).toBe(115200);

    await host.setBaudRate(921600);
    expect(host.baudRate).toBe(921600);
    expect(ttySpeed(a)).toBe(921600);
    await host.write(Uint8Array.of(1, 2, 3));
    await waitFor(() => atDevice.length === 3, "bytes after the baud change");
    expect(atDevice).toEqual([1, 2, 3]);
  });

  it("refuses a second open of the same port in this process with PORT_BUSY, and frees it on close", async () => {
    const { a } = await pair();
    const first = await opened(a);
    const err = await rejection(new SerialPortPort(a).open(115200));
    expect(err.code).toBe("PORT_BUSY");
    expect(err.message).toContain(a);

    await first.close();
    const again = await opened(a);
    expect(again.baudRate).toBe(115200);
  });

  it("refuses the port with PORT_BUSY while another process holds it", async () => {
    const { a } = await pair();
    const holder = spawn(
      process.execPath,
      ["-e", `import("serialport").then(({ SerialPort }) => { const p = new SerialPort({ path: ${JSON.stringify(a)}, baudRate: 115200, autoOpen: false }); p.open((e) => console.log(e ? "ERR " + e.message : "OPEN")); setInterval(() => {}, 1000); })`],
      { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] },
    );
    const holderExited = new Promise((resolve) => holder.once("close", resolve));
    cleanups.push(async () => {
      holder.kill("SIGTERM");
      await holderExited;
    });
    let out = "";
    holder.stdout.setEncoding("utf8");
    holder.stdout.on("data", (t: string) => (out += t));
    await waitFor(() => out.includes("OPEN") || out.includes("ERR"), "the other process to open the port", 10_000);
    expect(out).toContain("OPEN");

    const err = await rejection(new SerialPortPort(a).open(115200));
    expect(err.code).toBe("PORT_BUSY");
  });

  it("reports an unplugged device through onClose(PORT_CLOSED) and rejects later writes", async () => {
    const p = await pair();
    const host = await opened(p.a);
    const closes: (Error | undefined)[] = [];
    host.onClose((e) => closes.push(e));

    process.kill(p.pid, "SIGKILL"); // the pty pair disappears, like a USB adapter pulled out
    await waitFor(() => closes.length === 1, "onClose after the pty vanished");
    expect((closes[0] as EspsyncError).code).toBe("PORT_CLOSED");
    expect(closes[0]?.message).toContain(p.a);
    const err = await rejection(host.write(Uint8Array.of(1)));
    expect(err.code).toBe("PORT_CLOSED");
  });

  it("finds that a pty has no DTR/RTS: setLines resolves and controlLines turns false", async () => {
    const { a } = await pair();
    const host = await opened(a);
    expect(host.capabilities).toEqual({ controlLines: true, setBaudRate: true });
    await host.setLines({ dtr: false, rts: true });
    expect(host.controlLinesState).toBe("absent");
    expect(host.capabilities).toEqual({ controlLines: false, setBaudRate: true });
    await host.setLines({ dtr: true, rts: false }); // later calls are no-ops
  });
});

describe("SerialPortPort open failures through the real binding", () => {
  it("maps a missing device to PORT_NOT_FOUND and lists the ports that exist", async () => {
    const err = await rejection(new SerialPortPort("/dev/ttyESPSYNC-MISSING").open(115200));
    expect(err.code).toBe("PORT_NOT_FOUND");
    expect(err.message).toContain("/dev/ttyESPSYNC-MISSING");
    expect(err.message).toMatch(/serial ports present: \/dev\/|no serial ports found/);
  });

  it("maps a file that is not a terminal to PORT_NOT_FOUND (not a serial port)", async () => {
    const err = await rejection(new SerialPortPort("/dev/null").open(115200));
    expect(err.code).toBe("PORT_NOT_FOUND");
    expect(err.message).toBe("/dev/null is not a serial port");
  });

  // Tests run as root, and root bypasses file modes, so a chmod 000 device cannot produce EACCES.
  // procfs still refuses a read-write open of a read-only file to root: a real EACCES from open(2).
  const readOnlyProcFile = "/proc/sys/kernel/version";
  const givesEacces = ((): boolean => {
    try {
      closeSync(openSync(readOnlyProcFile, "r+"));
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "EACCES";
    }
  })();

  it.skipIf(!givesEacces)("maps a real EACCES from open(2) to PORT_PERMISSION with the dialout hint", async () => {
    const err = await rejection(new SerialPortPort(readOnlyProcFile).open(115200));
    expect(err.code).toBe("PORT_PERMISSION");
    expect(err.message).toContain(readOnlyProcFile);
    expect(err.hint).toMatch(/dialout/);
    expect(err.hint).toMatch(/uucp/);
  });
});

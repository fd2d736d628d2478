/**
 * Plumbing for the `espsync serve` tests: the real CLI running `serve` in process (output readable
 * while it runs, stopped like Ctrl-C), a `Port` that can be unplugged and plugged back in, and a
 * listing of fake USB serial ports that follows it.
 */
import { createServer, type AddressInfo } from "node:net";
import type { OpenPortOptions, SerialPortListing } from "../../adapters/index.js";
import { memorySink } from "../../src/cli/io.js";
import { run } from "../../src/cli/run.js";
import { EspsyncError } from "../../src/errors.js";
import type { ControlLines, Port, PortCapabilities, PortInfo } from "../../src/transport/port.js";

/** `espsync serve` running in this process. */
export interface RunningServe {
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout (checked every 10 ms), rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** Ctrl-C: resolves with the exit code. */
  stop(): Promise<number>;
}

/** Starts `espsync serve <args>` with the given port hooks. */
export function startServe(args: string[], hooks: { openPort?: (url: string, options?: OpenPortOptions) => Port; listSerialPorts?: () => Promise<SerialPortListing[]> } = {}): RunningServe {
  const stdout = memorySink();
  const stderr = memorySink();
  const controller = new AbortController();
  const done = run(["serve", ...args], {
    stdout,
    stderr,
    env: {},
    cwd: process.cwd(),
    signal: controller.signal,
    listSerialPorts: hooks.listSerialPorts ?? (async () => []),
    ...(hooks.openPort && { openPort: hooks.openPort }),
  });
  let code: number | undefined;
  void done.then((c) => (code = c));
  return {
    stdout: () => stdout.text(),
    stderr: () => stderr.text(),
    async waitFor(pattern, timeoutMs = 5_000, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(stdout.text().slice(from));
        if (match) return match;
        if (code !== undefined) throw new Error(`espsync serve exited with ${code} before printing ${pattern}: ${stdout.text()}${stderr.text()}`);
        if (Date.now() > deadline) throw new Error(`espsync serve did not print ${pattern} within ${timeoutMs} ms: ${stdout.text()}${stderr.text()}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    stop: async () => {
      controller.abort();
      return done;
    },
  };
}

/**
 * A base TCP port with `count` free ports from it (each bound once, then released), below the
 * range the OS hands out for ephemeral ports, so other tests' sockets do not take them meanwhile.
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const servers = [];
    let ok = true;
    for (let i = 0; i < count && ok; i++) {
      const server = createServer();
      ok = await new Promise<boolean>((resolve) => {
        server.once("error", () => resolve(false));
        server.listen(base + i, "127.0.0.1", () => resolve((server.address() as AddressInfo).port === base + i));
      });
      if (ok) servers.push(server);
    }
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    if (ok) return base;
  }
  throw new Error(`no ${count} free consecutive TCP ports found`);
}

/**
 * A port that can be unplugged: `unplug()` makes it fail like a USB device that vanished (its close
 * listeners get PORT_CLOSED, writes and opens fail with PORT_NOT_FOUND) until `replug()`.
 */
export class UnpluggablePort implements Port {
  plugged = true;
  private readonly closeListeners = new Set<(error?: Error) => void>();
  private stopForwarding: (() => void) | undefined;

  constructor(readonly inner: Port) {}

  get info(): PortInfo {
    return this.inner.info;
  }

  get capabilities(): PortCapabilities {
    return this.inner.capabilities;
  }

  get baudRate(): number {
    return this.inner.baudRate;
  }

  async open(baudRate: number): Promise<void> {
    if (!this.plugged) throw this.missing();
    await this.inner.open(baudRate);
    this.stopForwarding = this.inner.onClose((error) => this.emitClose(error));
  }

  write(data: Uint8Array): Promise<void> {
    return this.plugged ? this.inner.write(data) : Promise.reject(this.missing());
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.inner.onData(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  setLines(lines: ControlLines): Promise<void> {
    return this.plugged ? this.inner.setLines(lines) : Promise.reject(this.missing());
  }

  setBaudRate(baudRate: number): Promise<void> {
    return this.plugged ? this.inner.setBaudRate(baudRate) : Promise.reject(this.missing());
  }

  async close(): Promise<void> {
    this.stopForwarding?.();
    this.stopForwarding = undefined;
    await this.inner.close();
    this.emitClose();
  }

  /** The cable is pulled. */
  async unplug(): Promise<void> {
    this.plugged = false;
    this.stopForwarding?.();
    this.stopForwarding = undefined;
    await this.inner.close();
    this.emitClose(new EspsyncError("PORT_CLOSED", `${this.info.path} disappeared (device unplugged)`, { hint: "Plug it back in." }));
  }

  /** The cable is back. */
  replug(): void {
    this.plugged = true;
  }

  private emitClose(error?: Error): void {
    for (const listener of [...this.closeListeners]) listener(error);
    this.closeListeners.clear();
  }

  private missing(): EspsyncError {
    return new EspsyncError("PORT_NOT_FOUND", `${this.info.path} does not exist`, { hint: "Plug the board in." });
  }
}

/** A listing entry for a fake CP2102 board with USB serial number `serialNumber`. */
export function fakeListing(path: string, serialNumber: string): SerialPortListing {
  return { path, vid: 0x10c4, pid: 0xea60, serialNumber, manufacturer: "Silicon Labs", bridge: "CP210x", likelyEsp: true };
}

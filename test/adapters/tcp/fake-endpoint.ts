/**
 * A scripted stand-in for the device side of a UART (`SerialEndpoint`): records what the host did, in
 * order, and lets the test make the device transmit. With `echo`, every received byte is sent back.
 */
import type { SerialEndpoint } from "../../../src/transport/endpoint.js";
import type { ControlLines } from "../../../src/transport/port.js";

/** One thing the host did to the device. */
export type EndpointEvent =
  | { kind: "lines"; dtr: boolean; rts: boolean }
  | { kind: "baud"; baudRate: number };

/** A recording `SerialEndpoint`. */
export class FakeEndpoint implements SerialEndpoint {
  readonly received: number[] = [];
  readonly events: EndpointEvent[] = [];
  private readonly listeners = new Set<(data: Uint8Array) => void>();

  constructor(private readonly echo = false) {}

  receive(data: Uint8Array): void {
    this.received.push(...data);
    if (this.echo) this.transmit(data);
  }

  onTransmit(listener: (data: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setLines(lines: ControlLines): void {
    this.events.push({ kind: "lines", dtr: lines.dtr, rts: lines.rts });
  }

  setBaudRate(baudRate: number): void {
    this.events.push({ kind: "baud", baudRate });
  }

  /** Makes the device send bytes to the host. */
  transmit(data: Uint8Array): void {
    for (const listener of [...this.listeners]) listener(Uint8Array.from(data));
  }

  /** Number of attached hosts (servers subscribe while a client is connected). */
  get listenerCount(): number {
    return this.listeners.size;
  }
}

/** Resolves once `condition()` holds, polling every 5 ms; rejects after `timeoutMs` naming `what`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Collects everything a port delivers to its data listeners. */
export function collect(port: { onData(listener: (chunk: Uint8Array) => void): () => void }): number[] {
  const bytes: number[] = [];
  port.onData((chunk) => bytes.push(...chunk));
  return bytes;
}

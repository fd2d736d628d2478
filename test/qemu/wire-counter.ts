/**
 * A counting TCP proxy between a flasher and a chip's TCP UART (QEMU's `-serial tcp:…`): every
 * connection to it is forwarded to the target port byte for byte, and the host→chip direction is
 * decoded into a {@link WireTally}. One proxy serves any number of sequential sessions (and the
 * reconnects a flasher makes within one); `take()` returns what crossed since the last `take()`.
 */
import { EventEmitter } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { SlipReader } from "./slip-reader.js";
import { WireTally, type WireCounts } from "./wire-tally.js";

/** A running counting proxy. */
export interface WireCounter {
  /** The port to give the flasher (`socket://127.0.0.1:<port>`). */
  readonly port: number;
  /** What crossed since the last `take()` (or the start), and starts counting afresh. */
  take(): WireCounts;
  /** What crossed since the last `take()`, without resetting. */
  peek(): WireCounts;
  /** Resolves once `predicate(peek())` holds; rejects after `timeoutMs`. */
  until(predicate: (counts: WireCounts) => boolean, timeoutMs: number): Promise<WireCounts>;
  /** Closes the listener and every open connection. */
  close(): Promise<void>;
}

/** Starts a counting proxy on an ephemeral 127.0.0.1 port in front of `127.0.0.1:targetPort`. */
export async function startWireCounter(targetPort: number): Promise<WireCounter> {
  let tally = new WireTally();
  const frames = new EventEmitter();
  const sockets = new Set<Socket>();

  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    tally.connections++;
    const upstream = connect({ host: "127.0.0.1", port: targetPort, allowHalfOpen: true });
    // Forward every chunk at once, as the flasher's own socket does: Nagle here would hold small
    // replies and requests back and add round trips the flasher never caused.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    // A new decoder per connection: a frame cut off by a killed flasher must not glue onto the next.
    const reader = new SlipReader((frame) => {
      tally.addFrame(frame);
      frames.emit("frame");
    });
    client.on("data", (chunk: Buffer) => {
      tally.hostToChipBytes += chunk.length;
      reader.push(chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      tally.chipToHostBytes += chunk.length;
      client.write(chunk);
    });
    // A side that ends cleanly gets its last bytes delivered before the other side is ended (the
    // flasher's final command may be in flight as it closes). A reset (a killed flasher) or any
    // error tears both down at once, as a broken cable would.
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on("error", drop);
      s.on("close", () => {
        sockets.delete(s);
        // The other side had its chance to flush; do not keep a half-open pair around.
        setTimeout(drop, 1_000).unref();
      });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("wire counter: no TCP address");

  return {
    port: address.port,
    take() {
      const counts = tally.snapshot();
      tally = new WireTally();
      return counts;
    },
    peek: () => tally.snapshot(),
    until(predicate, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const counts = tally.snapshot();
          if (!predicate(counts)) return;
          clearTimeout(timer);
          frames.off("frame", check);
          resolve(counts);
        };
        const timer = setTimeout(() => {
          frames.off("frame", check);
          reject(new Error(`wire counter: condition not met within ${timeoutMs} ms; counted ${JSON.stringify(tally.snapshot().ops)}`));
        }, timeoutMs);
        frames.on("frame", check);
        check();
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      // Every connection was just destroyed, so this is quick; the timer only guards the wait.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

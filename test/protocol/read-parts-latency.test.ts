/**
 * A read that can be stopped is cut into parts sized for the link it crosses: one 64 KiB block
 * where a round trip is short, several where it is long (util/part-size.ts), so each part's
 * READ_FLASH costs little. The virtual chip is served over real TCP, once directly and once through
 * a proxy that delays every chunk by 80 ms each way; its command counter says how many READ_FLASH
 * requests arrived.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createVirtualChip, TcpPort, type VirtualChip } from "../../adapters/index.js";
import { serveTcp } from "../../adapters/tcp/tcp-server.js";
import { connect } from "../../src/protocol/index.js";
import { startLatencyProxy } from "../adapters/rfc2217/latency-proxy.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Reads 128 KiB (stoppable, never stopped) at 921600 baud; returns the READ_FLASH requests the chip got. */
async function readFlashRequests(delayMs: number | undefined): Promise<{ requests: number; roundTripS: number | undefined }> {
  const chip: VirtualChip = createVirtualChip({ chip: "esp32c3", flashSizeBytes: 0x400000 });
  const server = await serveTcp(chip, { host: "127.0.0.1", port: 0 });
  cleanups.push(() => server.close());
  let port = server.port;
  if (delayMs !== undefined) {
    const proxy = await startLatencyProxy({ host: "127.0.0.1", port: server.port }, delayMs);
    cleanups.push(() => proxy.close());
    port = proxy.port;
  }
  const device = await connect(new TcpPort(`socket://127.0.0.1:${port}`), { before: "no_reset", baudRate: 921600 });
  cleanups.push(() => device.close());
  await device.read(0x100000, 0x20000, undefined, { shouldStop: () => false });
  return { requests: chip.flash.counters.commands.READ_FLASH ?? 0, roundTripS: device.chip.link?.roundTripS };
}

describe("stoppable reads: parts sized for the link", () => {
  it("a local link: one READ_FLASH per 64 KiB block (2 for 128 KiB)", async () => {
    expect((await readFlashRequests(undefined)).requests).toBe(2);
  }, 20_000);

  it("80 ms each way: parts of several blocks (one READ_FLASH for 128 KiB)", async () => {
    const { requests, roundTripS } = await readFlashRequests(80);
    expect(roundTripS).toBeGreaterThan(0.15);
    // 0.16 s × 20 round trips × 92,160 B/s = 294,912 B → parts of 5 blocks (0x50000) ≥ 128 KiB.
    expect(requests).toBe(1);
  }, 60_000);
});

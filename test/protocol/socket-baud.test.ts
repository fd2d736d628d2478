/**
 * The transfer rate on a port without a rate of its own (`socket://`, PROTOCOL.md §12): each branch
 * `connect` takes, against the virtual chip served over real TCP. The chip's UART rate and its
 * command counters say what happened on the far side, independent of what espsync reports.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createVirtualChip, TcpPort, type VirtualChip } from "../../adapters/index.js";
import type { RunningServer } from "../../adapters/tcp/single-client-server.js";
import { serveTcp } from "../../adapters/tcp/tcp-server.js";
import { EspsyncError } from "../../src/errors.js";
import { connect, type Device } from "../../src/protocol/index.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function served(chip: VirtualChip): Promise<TcpPort> {
  const server: RunningServer = await serveTcp(chip, { host: "127.0.0.1", port: 0 });
  cleanups.push(() => server.close());
  return new TcpPort(`socket://127.0.0.1:${server.port}`);
}

async function connected(port: TcpPort, options: Parameters<typeof connect>[1]): Promise<Device> {
  const device = await connect(port, { before: "no_reset", ...options });
  cleanups.push(() => device.close());
  return device;
}

describe("socket:// transfer rate", () => {
  it("without a requested rate: stays at 115200, sends no CHANGE_BAUDRATE and says so in one line", async () => {
    const chip = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000 });
    const notices: string[] = [];
    const device = await connected(await served(chip), { notice: (line) => notices.push(line) });
    expect(chip.stats.uartBaud).toBe(115200);
    expect(chip.flash.counters.commands.CHANGE_BAUDRATE).toBeUndefined();
    expect(device.chip.link?.baudRate).toBe(115200);
    expect(notices.filter((l) => l.includes("staying at 115200 baud"))).toHaveLength(1);
  });

  it("with a requested rate: switches the chip with CHANGE_BAUDRATE and keeps talking over the same connection", async () => {
    const chip = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000 });
    const port = await served(chip);
    let opens = 0;
    const open = port.open.bind(port);
    port.open = (baud: number) => (opens++, open(baud));
    const notices: string[] = [];
    const device = await connected(port, { baudRate: 921600, notice: (line) => notices.push(line) });
    expect(chip.stats.uartBaud).toBe(921600);
    expect(chip.flash.counters.commands.CHANGE_BAUDRATE).toBe(1);
    expect(device.chip.link?.baudRate).toBe(921600);
    expect(opens).toBe(1); // not reopened: the far end follows the chip
    expect(notices.some((l) => l.includes("staying at"))).toBe(false);
    // The chip answers at the new rate.
    expect((await device.md5(0, 0x1000)).length).toBe(16);
  });

  it("with a requested rate the far end cannot follow: SYNC_FAILED naming the rate and the port, with a hint", async () => {
    const chip = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000 });
    // A bridge fixed at 115200 on the chip's side: once the chip switches, its bytes are garbage
    // to the bridge and the bridge's to it.
    chip.setBaudRate(115200);
    const port = await served(chip);
    const err = await connect(port, { before: "no_reset", baudRate: 921600, connectAttempts: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EspsyncError);
    expect((err as EspsyncError).code).toBe("SYNC_FAILED");
    expect((err as EspsyncError).message).toContain(`switched to 921600 baud, but nothing answers at that rate through ${port.info.path}`);
    expect((err as EspsyncError).hint).toContain("without --baud");
    expect(chip.stats.uartBaud).toBe(921600);
  });
});

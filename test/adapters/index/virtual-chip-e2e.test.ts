/**
 * End to end through every transport into the real virtual chip: a hand-made SLIP SYNC request must
 * come back as the ROM's eight SYNC replies (PROTOCOL.md §2.1, §11), and over RFC 2217 the classic
 * reset sequence must reach the chip's reset lines and put it into download mode (§4).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Port } from "../../../src/transport/port.js";
import { createVirtualChip, openPort, serveEndpoint, type ServedEndpoint } from "../../../adapters/index.js";
import { waitFor } from "../tcp/fake-endpoint.js";
import { hasSocat } from "../serial/pty-pair.js";
import { hasSer2net, startSer2net } from "../rfc2217/ser2net.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** SLIP frame of SYNC (op 0x08): 36 bytes 07 07 12 20 + 32 × 0x55, checksum 0 (§2.1). */
const SYNC_REQUEST = Uint8Array.from([
  0xc0, 0x00, 0x08, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55), 0xc0,
]);
/** One SYNC reply as the ESP32 ROM sends it (§11), SLIP-framed. */
const SYNC_REPLY = [0xc0, 0x01, 0x08, 0x04, 0x00, 0x07, 0x07, 0x12, 0x20, 0x00, 0x00, 0x00, 0x00, 0xc0];

function countReplies(bytes: number[]): number {
  let count = 0;
  for (let i = 0; i + SYNC_REPLY.length <= bytes.length; i++) {
    if (SYNC_REPLY.every((b, j) => bytes[i + j] === b)) count++;
  }
  return count;
}

async function serve(options: Parameters<typeof serveEndpoint>[1], boot: "download" | "app" = "download"): Promise<ServedEndpoint> {
  const chip = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000, boot });
  const served = await serveEndpoint(chip, options);
  cleanups.push(() => served.close());
  return served;
}

async function connect(url: string): Promise<{ port: Port; bytes: number[] }> {
  const port = openPort(url);
  const bytes: number[] = [];
  port.onData((chunk) => bytes.push(...chunk));
  await port.open(115200);
  cleanups.push(() => port.close());
  return { port, bytes };
}

async function expectSync(url: string): Promise<void> {
  const { port, bytes } = await connect(url);
  await port.write(SYNC_REQUEST);
  await waitFor(() => countReplies(bytes) >= 8, `8 SYNC replies through ${url}`);
  expect(countReplies(bytes)).toBe(8);
}

describe("the virtual chip through each transport", () => {
  it("answers SYNC over raw TCP (socket://)", async () => {
    const served = await serve({ listen: "127.0.0.1:0" });
    await expectSync(served.addresses.listen ?? "");
  });

  it("answers SYNC over RFC 2217 (rfc2217://)", async () => {
    const served = await serve({ rfc2217: "127.0.0.1:0" });
    await expectSync(served.addresses.rfc2217 ?? "");
  });

  it.skipIf(!hasSocat)("answers SYNC through a pseudo-terminal and the real serialport binding (needs socat)", async () => {
    const served = await serve({ pty: true });
    expect(served.addresses.pty).toMatch(/^\/dev\/pts\/\d+$/);
    await expectSync(served.addresses.pty ?? "");
  });

  it.skipIf(!hasSocat || !hasSer2net)("answers SYNC through ser2net's RFC 2217 in front of a pseudo-terminal (needs socat, ser2net)", async () => {
    const served = await serve({ pty: true });
    const ser2net = await startSer2net(served.addresses.pty ?? "");
    cleanups.push(() => ser2net.close());
    await expectSync(`rfc2217://127.0.0.1:${ser2net.port}`);
  });

  it("enters download mode when the classic reset sequence arrives over RFC 2217", async () => {
    const served = await serve({ rfc2217: "127.0.0.1:0" }, "app");
    const { port, bytes } = await connect(served.addresses.rfc2217 ?? "");
    const text = (): string => Buffer.from(bytes).toString("latin1");

    // §4.2 classic: (D0,R1) W100 (D1,R0) W50 (D0,R0)
    await port.setLines({ dtr: false, rts: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await port.setLines({ dtr: true, rts: false });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await port.setLines({ dtr: false, rts: false });
    expect(port.capabilities.controlLines).toBe(true);

    await waitFor(() => text().includes("waiting for download"), "the download-mode banner");
    expect(text()).toMatch(/boot:0x3 \(DOWNLOAD_BOOT/);
    await port.write(SYNC_REQUEST);
    await waitFor(() => countReplies(bytes) >= 8, "8 SYNC replies after the reset");
  });
});

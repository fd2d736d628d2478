/**
 * The same end-to-end suite — connect, chip info, write, digest, read back, erase, reset — over every
 * way espsync reaches a chip: the in-process virtual chip; raw TCP to `espsync sim --listen`; the real
 * serialport binding on the pseudo-terminal `espsync sim --pty` serves; RFC 2217 through a real
 * ser2net in front of that pseudo-terminal; and RFC 2217 to the simulator's own server, where the
 * DTR/RTS reset really takes a chip that is running its app into download mode.
 */
import { createHash, randomBytes } from "node:crypto";
import { deflateSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { openPort } from "../../adapters/index.js";
import { connect } from "../../src/protocol/index.js";
import { hasSer2net, startSer2net } from "../adapters/rfc2217/ser2net.js";
import { hasSocat } from "../adapters/serial/pty-pair.js";
import { startSimProcess } from "./sim-process.js";

const MAC = "24:0a:c4:12:34:56";
const ADDR = 0x20000;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** 96 KiB that compress (repeating records with random fields), so slow links stay fast. */
function payload(): Uint8Array {
  const out = new Uint8Array(96 * 1024);
  const noise = randomBytes(out.length / 16);
  for (let i = 0; i < out.length; i++) out[i] = i % 16 === 0 ? noise[i / 16]! : (i * 7) & 0xff;
  return out;
}

const md5 = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("hex");

/**
 * Runs the suite over `url` and returns what was written, so the caller can check the simulator's
 * flash file independently of espsync's own digests and reads.
 */
async function suite(url: string, options: { expectControlLines: boolean }): Promise<Uint8Array> {
  const data = payload();
  const port = openPort(url);
  const log: string[] = [];
  const device = await connect(port, { baudRate: 921600, connectAttempts: 3, log: (line) => log.push(line) });
  cleanups.push(() => device.close());

  expect(device.chip).toMatchObject({ chip: "esp32", mac: MAC, flashSizeBytes: 4 * 1024 * 1024, stub: true });
  if (!options.expectControlLines) expect(log.join("\n")).toMatch(/no DTR\/RTS control lines/);

  const stats = await device.write(ADDR, data, { compressed: deflateSync(data, { level: 9 }) });
  expect(stats).toMatchObject({ writtenBytes: data.length, compressed: true });
  expect(stats.sentBytes).toBeLessThan(data.length);
  expect(Buffer.from(await device.md5(ADDR, data.length)).toString("hex")).toBe(md5(data));
  expect(Buffer.from(await device.read(ADDR, data.length)).equals(Buffer.from(data))).toBe(true);

  await device.eraseRegion(ADDR, 0x1000);
  const afterErase = await device.read(ADDR, 0x2000);
  expect(afterErase.subarray(0, 0x1000).every((b) => b === 0xff)).toBe(true);
  expect(Buffer.from(afterErase.subarray(0x1000)).equals(Buffer.from(data.subarray(0x1000, 0x2000)))).toBe(true);

  await device.finish("hard_reset");
  return data;
}

/** The simulator's flash, read from its file after it stopped, holds exactly what the suite left. */
function expectFlashFile(flash: Uint8Array, data: Uint8Array): void {
  expect(flash.subarray(ADDR, ADDR + 0x1000).every((b) => b === 0xff)).toBe(true);
  expect(md5(flash.subarray(ADDR + 0x1000, ADDR + data.length))).toBe(md5(data.subarray(0x1000)));
  expect(flash.subarray(0, ADDR).every((b) => b === 0xff)).toBe(true);
}

describe("the device suite over every transport", () => {
  it("in process: sim:", async () => {
    const data = await suite(`sim:esp32?flash=4MB&mac=${MAC}`, { expectControlLines: true });
    expect(data.length).toBe(96 * 1024);
  });

  it("raw TCP to `espsync sim --listen` (socket://, no control lines)", async () => {
    const sim = await startSimProcess(["--chip", "esp32", "--mac", MAC, "--listen", "127.0.0.1:0"], 1);
    cleanups.push(() => sim.stop());
    const data = await suite(sim.addresses[0]!, { expectControlLines: false });
    expectFlashFile(await sim.stop(), data);
  });

  it.skipIf(!hasSocat)("the real serialport binding on the pseudo-terminal `espsync sim --pty` serves (needs socat)", async () => {
    const sim = await startSimProcess(["--chip", "esp32", "--mac", MAC, "--pty"], 1);
    cleanups.push(() => sim.stop());
    const data = await suite(sim.addresses[0]!, { expectControlLines: false });
    expectFlashFile(await sim.stop(), data);
  });

  it.skipIf(!hasSocat || !hasSer2net)("RFC 2217 through a real ser2net in front of the simulator's pseudo-terminal (needs socat, ser2net)", async () => {
    const sim = await startSimProcess(["--chip", "esp32", "--mac", MAC, "--pty"], 1);
    cleanups.push(() => sim.stop());
    const ser2net = await startSer2net(sim.addresses[0]!);
    cleanups.push(() => ser2net.close());
    const data = await suite(`rfc2217://127.0.0.1:${ser2net.port}`, { expectControlLines: false });
    await ser2net.close();
    expectFlashFile(await sim.stop(), data);
  });

  it("RFC 2217 to the simulator's own server: DTR/RTS reset a chip running its app into download mode", async () => {
    const sim = await startSimProcess(["--chip", "esp32", "--mac", MAC, "--boot", "app", "--rfc2217", "127.0.0.1:0"], 1);
    cleanups.push(() => sim.stop());
    const url = sim.addresses[0]!;
    // Without a reset the chip, running its app, never answers.
    await expect(connect(openPort(url), { before: "no_reset", connectAttempts: 1, baudRate: 115200 })).rejects.toMatchObject({ code: "SYNC_FAILED" });
    const data = await suite(url, { expectControlLines: true });
    // finish("hard_reset") pulsed EN with IO0 high: the chip runs its app again and ignores the loader.
    await expect(connect(openPort(url), { before: "no_reset", connectAttempts: 1, baudRate: 115200 })).rejects.toMatchObject({ code: "SYNC_FAILED" });
    expectFlashFile(await sim.stop(), data);
  });
});

/**
 * Recovery (`Device.recover`). A stub whose receiver lost step (PROTOCOL.md §12) — the start of a
 * frame was dropped and its end was not, so every later request is mis-framed — is put back in step
 * by the lone 0xC0 before the second re-sync SYNC, without a reset. A chip that stays silent through
 * espsync's own reconnect is not mistaken for a lost port.
 */
import { createHash } from "node:crypto";
import { afterEach, expect, it } from "vitest";
import { openSimPort } from "../../adapters/sim/index.js";
import { withRecovery } from "../../src/engine/index.js";
import { EspsyncError } from "../../src/errors.js";
import { connect, type Device } from "../../src/protocol/index.js";
import { frame, request, tick, u32 } from "../adapters/sim/helpers.js";

const open: Device[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});

it("a mis-framed stub receiver is put back in step by the re-sync, without a reset", async () => {
  const sim = openSimPort("sim:esp32c3?flash=4MB&seed=2");
  const device = await connect(sim, { timeouts: { minMs: 300, defaultMs: 300 } });
  open.push(device);
  await device.read(0, 16); // the stub runs once a read needed it
  expect(sim.chip.mode).toBe("stub");
  // Line noise: a request followed closely by the first bytes of another, the rest later.
  const second = frame(request(0x0a, u32(0x40001000)));
  sim.chip.receive(Uint8Array.from([...frame(request(0x0a, u32(0x40001000))), ...second.subarray(0, 5)]));
  for (let i = 0; i < 5; i++) await tick();
  sim.chip.receive(second.subarray(5));
  for (let i = 0; i < 5; i++) await tick();

  const resets = sim.chip.stats.resets;
  const syncs = sim.chip.flash.counters.commands.SYNC ?? 0;
  const warnings: string[] = [];
  sim.chip.flash.bytes.fill(0x33, 0x8000, 0x9000);
  const digest = await withRecovery(device, (e) => e.type === "warning" && warnings.push(e.message)).md5(0x8000, 0x1000);
  expect(Buffer.from(digest)).toEqual(createHash("md5").update(new Uint8Array(0x1000).fill(0x33)).digest());
  expect(warnings).toHaveLength(1);
  expect(sim.chip.stats.resets).toBe(resets); // no reset: the framing was repaired
  expect(sim.chip.flash.counters.commands.SYNC).toBe(syncs + 1); // the first SYNC was lost, the second heard
});

it("a chip that stays silent through espsync's own reconnect is reported as not answering, not as a closed port", async () => {
  const sim = openSimPort("sim:esp32c3?flash=4MB&seed=3");
  const device = await connect(sim, { connectAttempts: 1, timeouts: { minMs: 300, defaultMs: 300 } });
  open.push(device);
  sim.chip.faults.add({ kind: "silence", afterFrames: 0 });
  const err = await withRecovery(device, () => undefined)
    .md5(0, 0x1000)
    .then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(EspsyncError);
  expect((err as EspsyncError).code).not.toBe("PORT_CLOSED");
  expect((err as EspsyncError).message).toMatch(/recovery failed/);
  expect((err as EspsyncError).message).not.toMatch(/port closed/);
  expect(sim.chip.stats.resets).toBeGreaterThan(1); // the recovery did reset and reconnect
});

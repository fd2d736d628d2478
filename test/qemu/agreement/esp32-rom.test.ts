/**
 * Agreement of the simulator's ROM loader with the real ESP32 mask ROM (Espressif's QEMU): the
 * same raw request sequences to both, over TCP; the simulator must answer exactly like QEMU
 * (ROM status judged by its first two bytes, PROTOCOL.md §11).
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { checkAgreement } from "./agreement-case.js";
import { AgreementPair } from "./agreement-pair.js";
import { qemuSkipReason } from "./qemu-rig.js";
import { ROM_CASES } from "./rom-cases.js";

const skip = qemuSkipReason("esp32");

describe.skipIf(skip !== undefined)(`ESP32 ROM loader: simulator vs QEMU${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let pair: AgreementPair;

  beforeAll(async () => {
    pair = await AgreementPair.start("esp32");
    await pair.toRom();
  }, 60_000);

  afterAll(async () => {
    await pair?.stop();
  }, 20_000);

  for (const c of ROM_CASES) {
    it(c.name, async () => {
      if (c.fresh) await pair.toRom();
      await checkAgreement(pair, c);
    }, 30_000);
  }
});

/**
 * Agreement of the simulator with the real ESP32-C3 ROM and flasher stub (Espressif's QEMU, at
 * 115200 baud): a subset of the ESP32 cases, with the C3's own registers and rules.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAgreement } from "./agreement-case.js";
import { AgreementPair } from "./agreement-pair.js";
import { C3_ROM_CASES, C3_STUB_CASES } from "./esp32c3-cases.js";
import { qemuSkipReason } from "./qemu-rig.js";

const skip = qemuSkipReason("esp32c3");

describe.skipIf(skip !== undefined)(`ESP32-C3 ROM and stub: simulator vs QEMU${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let pair: AgreementPair;

  beforeAll(async () => {
    pair = await AgreementPair.start("esp32c3");
  }, 60_000);

  afterAll(async () => {
    await pair?.stop();
  }, 20_000);

  describe("ROM loader", () => {
    beforeAll(() => pair.toRom(), 30_000);
    for (const c of C3_ROM_CASES) it(c.name, () => checkAgreement(pair, c), 30_000);
  });

  describe("stub", () => {
    beforeAll(async () => {
      const upload = await pair.toStub();
      expect(upload.sim.lines()).toEqual(upload.qemu.lines());
    }, 30_000);
    for (const c of C3_STUB_CASES) it(c.name, () => checkAgreement(pair, c), 60_000); // the stub cases wait on 64 KiB digests: room for a loaded emulator
  });
});

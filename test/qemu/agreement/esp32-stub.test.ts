/**
 * Agreement of the simulator's flasher stub with the real one: the same raw request sequences go
 * to Espressif's QEMU (real ESP32 ROM, then the real esp-flasher-stub uploaded from esptool-js's
 * own image) and to `espsync sim` over TCP; the simulator must answer exactly like QEMU.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAgreement } from "./agreement-case.js";
import { AgreementPair } from "./agreement-pair.js";
import { qemuSkipReason } from "./qemu-rig.js";
import { STUB_COMMAND_CASES } from "./stub-command-cases.js";
import { STUB_RECEIVE_CASES } from "./stub-receive-cases.js";

const skip = qemuSkipReason("esp32");

describe.skipIf(skip !== undefined)(`ESP32 stub: simulator vs QEMU${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let pair: AgreementPair;

  beforeAll(async () => {
    pair = await AgreementPair.start("esp32");
  }, 60_000);

  afterAll(async () => {
    await pair?.stop();
  }, 20_000);

  describe("receive path (back-to-back and cut frames)", () => {
    beforeAll(async () => {
      const upload = await pair.toStub();
      // The upload itself must agree: MEM_END reply, then OHAI.
      expect(upload.sim.lines()).toEqual(upload.qemu.lines());
    }, 30_000);

    for (const c of STUB_RECEIVE_CASES) it(c.name, () => checkAgreement(pair, c), 30_000);
  });

  describe("commands", () => {
    beforeAll(async () => {
      await pair.toStub();
    }, 30_000);

    for (const c of STUB_COMMAND_CASES) it(c.name, () => checkAgreement(pair, c), 30_000);
  });
});

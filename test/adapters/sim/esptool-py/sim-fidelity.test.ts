/**
 * Regressions for fidelity bugs the scripted esptool.py host found in the simulator, checked
 * in-process (no build needed). Each cites the PROTOCOL.md section the simulator now follows.
 */
import { describe, expect, it } from "vitest";
import { createVirtualChip } from "../../../../adapters/sim/index.js";

describe("simulator fidelity regressions found with the esptool.py host", () => {
  it("ESP32: esptool.py's ROM `change_baud` crystal estimate is 40 MHz, so `--no-stub --baud` sends the asked rate (§3.2, §3.3)", () => {
    const chip = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000 });
    // esptool esp32.py get_rom_cal_crystal_freq: cali_val × 15625 × CK8M_FREQ / 40.
    const caliVal = (chip.regs.read(0x3ff5f06c) >>> 7) & 0x01ffffff;
    const ck8m = chip.regs.read(0x3ff5a010) & 0xff;
    expect((caliVal * 15625 * ck8m) / 40).toBe(40_000_000);
    // The low byte must not disturb what esptool prints as features: ADC vref bits 8..12 stay 0.
    expect((chip.regs.read(0x3ff5a010) >>> 8) & 0x1f).toBe(0);
  });
});

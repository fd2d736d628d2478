/**
 * espsync's per-chip reset registers against esptool's target files: every number below is copied
 * from `esptool/targets/<chip>.py` (espressif/esptool master bb72741: RTC_CNTL_WDTCONFIG0/1_REG,
 * RTC_CNTL_WDTWPROTECT_REG, RTC_CNTL_SWD_*, GPIO_STRAP_REG, RTC_CNTL_OPTION1_REG) and, for
 * UARTDEV_BUF_NO, from the same files at tag v5.2.0 — not from espsync's table.
 */
import { describe, expect, it } from "vitest";
import { CHIP_NAMES } from "../../src/protocol/device.js";
import { portFromUsbIdentity } from "../../src/protocol/chip-port.js";
import { RESET_REGISTERS, RTC_WDT_KEY, watchdogResetRegisters } from "../../src/protocol/reset-registers.js";

/** [WDTCONFIG0, WDTCONFIG1, WDTWPROTECT] per chip. */
const RTC_WDT = {
  esp32s2: [0x3f408094, 0x3f408098, 0x3f4080ac], // RTCCNTL_BASE_REG 0x3F408000 + 0x94/0x98/0xAC
  esp32s3: [0x60008098, 0x6000809c, 0x600080b0], // 0x60008000 + 0x98/0x9C/0xB0
  esp32c2: [0x60008084, 0x60008088, 0x6000809c], // 0x60008000 + 0x84/0x88/0x9C
  esp32c3: [0x60008090, 0x60008094, 0x600080a8], // 0x60008000 + 0x90/0x94/0xA8
  esp32c6: [0x600b1c00, 0x600b1c04, 0x600b1c18], // DR_REG_LP_WDT_BASE 0x600B1C00 + 0/4/0x18
  esp32h2: [0x600b1c00, 0x600b1c04, 0x600b1c1c], // 0x600B1C00 + 0/4/0x1C
  esp32c5: [0x600b1c00, 0x600b1c04, 0x600b1c18], // inherited from ESP32C6ROM
  esp32p4: [0x50116000, 0x50116004, 0x50116018], // DR_REG_LP_WDT_BASE 0x50116000 + 0/4/0x18
  esp32c61: [0x600b1c00, 0x600b1c04, 0x600b1c18], // inherited from ESP32C6ROM
} as const;

/** [SWD_CONF_REG, SWD_AUTO_FEED_EN, SWD_WPROTECT_REG, SWD_WKEY] of the chips whose disable_watchdogs runs. */
const SWD = {
  esp32s3: [0x600080b4, 0x80000000, 0x600080b8, 0x8f1d312a],
  esp32c3: [0x600080ac, 0x80000000, 0x600080b0, 0x8f1d312a],
  esp32c6: [0x600b1c1c, 1 << 18, 0x600b1c20, 0x50d83aa1],
  esp32h2: [0x600b1c20, 1 << 18, 0x600b1c24, 0x50d83aa1],
  esp32c5: [0x600b1c1c, 1 << 18, 0x600b1c20, 0x50d83aa1],
  esp32p4: [0x5011601c, 1 << 18, 0x50116020, 0x50d83aa1],
  esp32c61: [0x600b1c1c, 1 << 18, 0x600b1c20, 0x50d83aa1], // inherited from ESP32C6ROM
} as const;

/** [USB-OTG product id (IMAGE_CHIP_ID), GPIO_STRAP_REG, SPI_BOOT mask, RTC_CNTL_OPTION1_REG, FORCE_DOWNLOAD_BOOT mask]. */
const USB_OTG = {
  esp32s2: [2, 0x3f404038, 0x8, 0x3f408128, 0x1],
  esp32s3: [9, 0x60004038, 0x8, 0x6000812c, 0x1],
  esp32p4: [18, 0x500e0038, 0x8, 0x50110008, 0x4],
} as const;

describe("per-chip reset registers (esptool's target files)", () => {
  it("has an entry for every chip espsync supports; only the ESP32 lacks the RTC watchdog", () => {
    expect(Object.keys(RESET_REGISTERS).sort()).toEqual([...CHIP_NAMES].sort());
    expect(RESET_REGISTERS.esp32.rtcWdt).toBeUndefined();
    expect(RTC_WDT_KEY).toBe(0x50d83aa1);
  });

  it.each(Object.entries(RTC_WDT))("%s: RTC watchdog registers", (chip, [config0, config1, wprotect]) => {
    expect(RESET_REGISTERS[chip as keyof typeof RTC_WDT].rtcWdt).toEqual({ config0, config1, wprotect });
  });

  it("watchdog resets where esptool does them: not on the ESP32, C6 (disabled) or H2 (hardware)", () => {
    const withReset = CHIP_NAMES.filter((chip) => watchdogResetRegisters(chip) !== undefined);
    expect(withReset).toEqual(["esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c5", "esp32p4", "esp32c61"]);
  });

  it.each(Object.entries(SWD))("%s: super watchdog auto-feed registers", (chip, [conf, autoFeed, wprotect, key]) => {
    expect(RESET_REGISTERS[chip as keyof typeof SWD].swd).toEqual({ conf, autoFeed, wprotect, key });
  });

  it("the chips without disable_watchdogs have no super watchdog entry (ESP32, S2, C2)", () => {
    expect(CHIP_NAMES.filter((chip) => RESET_REGISTERS[chip].swd === undefined)).toEqual(["esp32", "esp32s2", "esp32c2"]);
  });

  it.each(Object.entries(USB_OTG))("%s: USB-OTG identity, strap and force-download registers", (chip, [productId, strapReg, spiBootMask, option1Reg, forceDownloadMask]) => {
    expect(RESET_REGISTERS[chip as keyof typeof USB_OTG].usbOtg).toEqual({ productId, strapReg, spiBootMask, option1Reg, forceDownloadMask });
  });

  it("hard reset styles: S2/S3 check the strap over USB-OTG, P4 resets by watchdog over USB-OTG, the rest pulse RTS", () => {
    expect(Object.fromEntries(CHIP_NAMES.map((chip) => [chip, RESET_REGISTERS[chip].hardReset]))).toEqual({
      esp32: "rts", esp32s2: "otg-strap", esp32s3: "otg-strap", esp32c2: "rts", esp32c3: "rts", esp32c6: "rts", esp32h2: "rts", esp32c5: "rts", esp32p4: "otg", esp32c61: "rts",
    });
  });

  it("UARTDEV_BUF_NO: addresses (by revision) and the USB values of esptool v5.2.0", () => {
    const rec = (chip: keyof typeof RESET_REGISTERS) => RESET_REGISTERS[chip].uartDevBufNo;
    expect([rec("esp32s2")?.addr(0), rec("esp32s2")?.usbOtg, rec("esp32s2")?.usbSerialJtag]).toEqual([0x3ffffd14, 2, undefined]);
    expect([rec("esp32s3")?.addr(0), rec("esp32s3")?.usbOtg, rec("esp32s3")?.usbSerialJtag]).toEqual([0x3fcef14c, 3, 4]);
    expect([rec("esp32c3")?.addr(3), rec("esp32c3")?.addr(101), rec("esp32c3")?.usbSerialJtag]).toEqual([0x3fcdf064 + 24, 0x3fcdf060 + 24, 3]);
    expect([rec("esp32c6")?.addr(0), rec("esp32c6")?.usbSerialJtag]).toEqual([0x4087f580, 3]);
    expect([rec("esp32h2")?.addr(0), rec("esp32h2")?.usbSerialJtag]).toEqual([0x4084fefc, 3]);
    expect([rec("esp32c5")?.addr(0), rec("esp32c5")?.usbSerialJtag]).toEqual([0x4085f514, 3]);
    expect([rec("esp32p4")?.addr(100), rec("esp32p4")?.addr(300), rec("esp32p4")?.usbOtg, rec("esp32p4")?.usbSerialJtag]).toEqual([0x4ff3fec8, 0x4ffbfec8, 5, 6]);
    expect([rec("esp32"), rec("esp32c2")]).toEqual([undefined, undefined]);
  });

  it("port kind from the USB identity, in esptool-js's order", () => {
    expect(portFromUsbIdentity({ path: "x", usbVendorId: 0x303a, usbProductId: 0x0009 }, "esp32s3")).toBe("usb-otg");
    expect(portFromUsbIdentity({ path: "x", usbVendorId: 0x303a, usbProductId: 0x0009 }, "esp32c3")).toBeUndefined();
    expect(portFromUsbIdentity({ path: "x", usbVendorId: 0x303a, usbProductId: 0x1001 }, "esp32s3")).toBe("usb-serial-jtag");
    expect(portFromUsbIdentity({ path: "x", usbVendorId: 0x10c4, usbProductId: 0xea60 }, "esp32s3")).toBe("uart");
    expect(portFromUsbIdentity({ path: "socket://h:1" }, "esp32s3")).toBeUndefined();
  });
});

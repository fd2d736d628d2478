/**
 * What the ROM's UART needs when the host changes its rate before the flasher stub runs.
 *
 * - The ESP32 ROM derives its UART divider from a crystal frequency it estimates against the
 *   drifting 8 MHz RC clock, so a CHANGE_BAUDRATE must ask for the wanted rate scaled by that
 *   estimate's error (esptool's `ESP32ROM.change_baud` does the same; later ROMs use the crystal).
 * - esp-flasher-stub on the ESP32, ESP32-S2 and ESP32-P4 raises the UART's clock at start-up and
 *   reprograms the divider for the rate the ROM *recorded* in its UartDevice structure (its
 *   `main.c`), which the ROM's CHANGE_BAUDRATE leaves at 115200 (seen on the real ESP32 ROM:
 *   UartDev.baud_rate still 0x1C200 after a switch to 921600, and the stub then set 115200 again;
 *   with the record rewritten first, the stub kept 921600). On the ESP32 espsync rewrites the
 *   record; on the S2 and P4, whose record it has not verified, the rate changes only once the
 *   stub runs. Other chips' stubs leave the UART as the ROM set it.
 */
import type { ChipName } from "./device.js";

/** ESP32 registers of the ROM's crystal estimate: RTC calibration and eFuse word 4 (CK8M_FREQ). */
export const ESP32_ROM_CLOCK_REGS = { rtcCaliCfg1: 0x3ff5f06c, efuseWord4: 0x3ff5a010 } as const;

/** The ESP32 ROM's UartDevice record (`UartDev`, ROM linker script): its first word is the rate. */
export const ESP32_ROM_UART_RECORD = 0x3ffe019c;

/**
 * The rate to put in the ESP32 ROM's CHANGE_BAUDRATE so that its UART runs at `baudRate`, from the
 * two registers above (esptool's `get_rom_cal_crystal_freq`); `baudRate` itself when they read 0.
 */
export function esp32RomBaudRequest(baudRate: number, rtcCaliCfg1: number, efuseWord4: number): number {
  const caliValue = (rtcCaliCfg1 >>> 7) & 0x1ffffff;
  const ck8mFreq = efuseWord4 & 0xff;
  const romXtalHz = (caliValue * 15625 * ck8mFreq) / 40;
  if (romXtalHz === 0) return baudRate;
  const realXtalHz = romXtalHz > 33_000_000 ? 40_000_000 : 26_000_000;
  return Math.floor((baudRate * romXtalHz) / realXtalHz);
}

/** The UART divider register the ESP32-C2 and C5 ROMs set from their crystal (esptool's UART_CLKDIV_REG). */
export const UART_CLKDIV_REG = 0x60000014;
/** ESP32-C5: PCR_SYSCLK_CONF, whose bits 24..30 hold the crystal frequency (MHz) its ROM assumes. */
export const ESP32C5_PCR_SYSCLK_CONF_REG = 0x60096110;

/**
 * The crystal (MHz) esptool infers from the ROM's UART divider at the ROM's rate (its
 * `get_crystal_freq`): the divider was set from the real crystal, so divider × rate estimates it;
 * above 45 it is 48 MHz where the chip has such crystals, above 33 it is 40 MHz, else 26 MHz.
 */
export function crystalFromUartDivider(uartClkdiv: number, romBaudRate: number, has48MHz: boolean): number {
  const estimateMhz = ((uartClkdiv & 0xfffff) * romBaudRate) / 1_000_000;
  if (has48MHz && estimateMhz > 45) return 48;
  return estimateMhz > 33 ? 40 : 26;
}

/**
 * The rate to put in a CHANGE_BAUDRATE to the ESP32-C2 or C5 ROM so that its UART runs at
 * `baudRate`: those ROMs compute the divider for the crystal they assume (40 MHz on the C2, the
 * PCR field on the C5), not the one fitted, so esptool scales the request by assumed / real.
 */
export function crystalScaledRomRate(chip: "esp32c2" | "esp32c5", baudRate: number, romBaudRate: number, uartClkdiv: number, pcrSysclkConf = 0): number {
  if (chip === "esp32c2") {
    // esptool's ESP32C2ROM.change_baud: a 26 MHz part's ROM believes it has 40 MHz.
    return crystalFromUartDivider(uartClkdiv, romBaudRate, false) === 26 ? Math.floor((baudRate * 40) / 26) : baudRate;
  }
  const detected = crystalFromUartDivider(uartClkdiv, romBaudRate, true);
  const expected = (pcrSysclkConf >>> 24) & 0x7f;
  if (detected === 48 && expected === 40) return Math.floor((baudRate * 40) / 48);
  if (detected === 40 && expected === 48) return Math.floor((baudRate * 48) / 40);
  return baudRate;
}

/**
 * Whether the transfer rate may be set while the ROM still runs, with the stub uploaded later: its
 * stub keeps the ROM's rate (with the ESP32's record rewritten, see the module comment).
 */
export function romRateSurvivesStub(chip: ChipName): boolean {
  return chip !== "esp32s2" && chip !== "esp32p4";
}

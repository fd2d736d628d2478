/**
 * What the scripted host knows about each chip, as esptool.py v5's `targets/*.py` classes know it
 * (PROTOCOL.md §3.2–§3.5, §2.5). Written from the protocol reference, not from the simulator's
 * tables, so that a wrong simulator value shows up as a failed detection or a wrong description.
 */

/** One esptool.py chip class. */
export interface EsptoolChipClass {
  readonly name: "ESP32" | "ESP32-S3" | "ESP32-C3";
  /** Chips identified by the magic register (ESP32) rather than GET_SECURITY_INFO's chip id. */
  readonly usesMagicValue: boolean;
  readonly magicValues: readonly number[];
  readonly imageChipId: number;
  /** eFuse words holding the MAC (§3.3): mac0 = bytes 2..5, mac1 = bytes 0..1. */
  readonly macRegs: readonly [number, number];
  /** READ_REGs of `get_chip_description` / features / crystal (§3.3), in esptool's order. */
  readonly infoRegs: readonly number[];
  /** eFuse reads of the security checks (§3.2): secure boot, crypt count, encrypted-download. */
  readonly secureBootReg: number;
  readonly securityRegs: readonly number[];
  /** Flash-voltage reads of `flash-id` (§3.3); empty when the chip has none. */
  readonly flashVoltageRegs: readonly number[];
  /** SPI user-command registers (§3.4). */
  readonly spi: { base: number; usr: number; usr1: number; usr2: number; mosiDlen: number; misoDlen: number; w0: number; addrMsb: boolean };
  /** esptool.py v5.3.1's bundled (older) esp-flasher-stub image, §2.5: sizes and addresses. */
  readonly stub: { textAddr: number; textBytes: number; dataAddr: number; dataBytes: number; entry: number };
  /** FLASH_BEGIN carries the 5th "encrypted" word to the ROM (§2.2: not on ESP32). */
  readonly romBeginHasEncryptedWord: boolean;
}

const SPI_NEW = { usr: 0x18, usr1: 0x1c, usr2: 0x20, mosiDlen: 0x24, misoDlen: 0x28, w0: 0x58, addrMsb: false } as const;

/** The chip classes the tests drive. */
export const ESPTOOL_CHIPS = {
  esp32: {
    name: "ESP32",
    usesMagicValue: true,
    magicValues: [0x00f01d83],
    imageChipId: 0,
    macRegs: [0x3ff5a004, 0x3ff5a008],
    infoRegs: [0x3ff5a00c, 0x3ff5a014, 0x3ff6607c, 0x3ff5a010, 0x3ff5a018, 0x3ff40014],
    secureBootReg: 0x3ff5a018,
    securityRegs: [0x3ff5a018, 0x3ff5a000],
    flashVoltageRegs: [0x3ff48074, 0x3ff5a010, 0x3ff44038],
    spi: { base: 0x3ff42000, usr: 0x1c, usr1: 0x20, usr2: 0x24, mosiDlen: 0x28, misoDlen: 0x2c, w0: 0x80, addrMsb: true },
    stub: { textAddr: 0x400a8000, textBytes: 6140, dataAddr: 0x3ffded6c, dataBytes: 212, entry: 0x400a9074 },
    romBeginHasEncryptedWord: false,
  },
  esp32s3: {
    name: "ESP32-S3",
    usesMagicValue: false,
    magicValues: [0x00000009],
    imageChipId: 9,
    macRegs: [0x60007044, 0x60007048],
    infoRegs: [0x60007050, 0x60007058, 0x6000706c, 0x60007054],
    secureBootReg: 0x60007038,
    securityRegs: [0x60007030, 0x60007034, 0x60007038],
    flashVoltageRegs: [0x60004038],
    spi: { base: 0x60002000, ...SPI_NEW },
    stub: { textAddr: 0x40378000, textBytes: 7644, dataAddr: 0x3fcb2dc0, dataBytes: 264, entry: 0x40379474 },
    romBeginHasEncryptedWord: true,
  },
  esp32c3: {
    name: "ESP32-C3",
    usesMagicValue: false,
    magicValues: [0x6921506f, 0x1b31506f, 0x4881606f, 0x4361606f],
    imageChipId: 5,
    macRegs: [0x60008844, 0x60008848],
    infoRegs: [0x60008850, 0x60008858, 0x60008854],
    secureBootReg: 0x60008838,
    securityRegs: [0x60008830, 0x60008834, 0x60008838],
    flashVoltageRegs: [],
    spi: { base: 0x60002000, ...SPI_NEW },
    stub: { textAddr: 0x40380000, textBytes: 5720, dataAddr: 0x3fc96d68, dataBytes: 200, entry: 0x40380e5a },
    romBeginHasEncryptedWord: true,
  },
} as const satisfies Record<string, EsptoolChipClass>;

/** Chip names the tests cover. */
export type EsptoolChipName = keyof typeof ESPTOOL_CHIPS;

/** esptool.py's ROM_LIST order for detection (only the chips simulated here). */
export const ROM_LIST: readonly EsptoolChipClass[] = [ESPTOOL_CHIPS.esp32, ESPTOOL_CHIPS.esp32s3, ESPTOOL_CHIPS.esp32c3];

/** Capacity byte of RDID → size (§3.4 ladder, esptool `DETECTED_FLASH_SIZES`). */
export const DETECTED_FLASH_SIZES: Readonly<Record<number, string>> = {
  0x12: "256KB", 0x13: "512KB", 0x14: "1MB", 0x15: "2MB", 0x16: "4MB", 0x17: "8MB", 0x18: "16MB", 0x19: "32MB",
  0x1a: "64MB", 0x1b: "128MB", 0x1c: "256MB", 0x20: "64MB", 0x21: "128MB", 0x22: "256MB", 0x32: "256KB", 0x33: "512KB",
  0x34: "1MB", 0x35: "2MB", 0x36: "4MB", 0x37: "8MB", 0x38: "16MB", 0x39: "32MB", 0x3a: "64MB",
};

/** "4MB" → bytes. */
export function flashSizeBytes(size: string): number {
  const m = /^(\d+)(KB|MB)$/.exec(size);
  if (!m) throw new Error(`bad flash size ${size}`);
  return Number(m[1]) * (m[2] === "KB" ? 1024 : 1024 * 1024);
}

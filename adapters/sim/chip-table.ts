/**
 * Identity of every simulated chip: what its ROM answers to register reads and GET_SECURITY_INFO,
 * where its SPI controller lives, where its bootloader sits and what it prints at boot.
 * Sources: PROTOCOL.md §3.3 (registers and "traced defaults"), §3.4 (SPI), §3.5 (identity),
 * §2.6 and §11 (security info), §4.4 (banners). Banners of ESP32-S2/C6/H2 are not in §4.4; they
 * follow the same shape with those ROMs' build dates. The ESP32-C2, C5 and P4 come from esptool's
 * target files (eFuse layout, registers) and from boot logs those ROMs print.
 */

/** SPI controller register layout, PROTOCOL.md §3.4. */
export interface SpiLayout {
  readonly base: number;
  readonly usr: number;
  readonly usr1: number;
  readonly usr2: number;
  readonly mosiDlen: number;
  readonly misoDlen: number;
  readonly w0: number;
  /** ADDR register left-aligned (`addr << (32 - bits)`) — ESP32 — rather than raw. */
  readonly addrMsb: boolean;
}

/** The RTC watchdog's configuration and write-protect registers (esptool's RTC_CNTL_WDT*_REG). */
export interface RtcWdtRegisters {
  readonly config0: number;
  readonly config1: number;
  readonly wprotect: number;
}

/** RTC_CNTL_WDT_WKEY: the value that unlocks the watchdog's registers. */
export const RTC_WDT_KEY = 0x50d83aa1;

/** One chip's identity. */
export interface SimChipSpec {
  readonly displayName: string;
  /** Value(s) of the magic register 0x40001000; the first is what the simulator answers. */
  readonly magic: readonly number[];
  /** Image / GET_SECURITY_INFO chip id. */
  readonly chipId: number;
  /** GET_SECURITY_INFO payload length in the ROM; 0 = command unsupported (ESP32, §1.6/§11). */
  readonly romSecurityInfoBytes: 0 | 12 | 20;
  /**
   * Bytes of the GET_SECURITY_INFO payload the ROM fills beyond flags, crypt count and chip id
   * (offset → value), where observed on the real ROM.
   */
  readonly romSecurityInfoFixed?: Readonly<Record<number, number>>;
  /** FLASH_BEGIN / FLASH_DEFL_BEGIN payload length the ROM accepts (§2.2, §11): ESP32 16, later chips 20. */
  readonly romFlashBeginBytes: 16 | 20;
  /**
   * The ROM's compressed write programs its whole 32 KiB inflate buffer at the end of the stream,
   * stale bytes past the data included (seen on the real ESP32 ROM; the ESP32-C3 ROM does not).
   */
  readonly romDeflateWholeUnits?: boolean;
  /**
   * The flasher stub raises the UART clock at start-up and sets the UART to the rate recorded in the
   * ROM's UartDevice structure at this address (0 reads as 115200), which the ROM's CHANGE_BAUDRATE
   * does not update (esp-flasher-stub `main.c`; seen on the real ESP32 ROM and stub). ESP32, S2, P4.
   */
  readonly stubUartRecord?: number;
  /**
   * The RTC watchdog's registers, where esptool arms it to reset a chip whose port has no reset
   * lines (its `rtc_wdt_reset`: unlock with the key, a timeout, then enable with a reset stage).
   * Absent on the ESP32, which has no USB port of its own.
   */
  readonly rtcWdt?: RtcWdtRegisters;
  /** Register that holds MAC bytes 2..5; the next word holds bytes 0..1 (and a CRC on ESP32). */
  readonly macReg: number;
  /** ESP32 puts a CRC8 in bits 23..16 of the second MAC word. */
  readonly macCrc: boolean;
  /** Fixed eFuse/register values ("traced defaults", §3.3). */
  readonly registers: Readonly<Record<number, number>>;
  readonly spi: SpiLayout;
  readonly bootloaderOffset: number;
  /** Has a USB-Serial/JTAG peripheral (reset via DTR/RTS over USB, §4.2). */
  readonly usbJtagSerial: boolean;
  /** ROM banner lines in download mode (without the trailing "waiting for download"). */
  readonly bannerDownload: readonly string[];
  /** ROM banner lines when booting from SPI flash. */
  readonly bannerSpiBoot: readonly string[];
  /** What the ROM says when there is no valid image: ESP32-style read error or C3-style header. */
  readonly noImageStyle: "flash-read-err" | "invalid-header";
}

const SPI_NEW = { usr: 0x18, usr1: 0x1c, usr2: 0x20, mosiDlen: 0x24, misoDlen: 0x28, w0: 0x58, addrMsb: false } as const;

/** The chips the simulator can be. */
export const SIM_CHIP_TABLE = {
  esp32: {
    displayName: "ESP32",
    magic: [0x00f01d83],
    chipId: 0,
    romSecurityInfoBytes: 0,
    romFlashBeginBytes: 16,
    romDeflateWholeUnits: true,
    stubUartRecord: 0x3ffe019c,
    macReg: 0x3ff5a004,
    macCrc: true,
    // §3.3 traced defaults: "ESP32-D0WD-V3 (revision 3)", 40 MHz via UART_CLKDIV 347 at 115200.
    // esptool.py's ESP32 ROM `change_baud` (CK_8M drift workaround, §3.2 `--no-stub --baud`) scales
    // the requested rate by cali_val (RTCCALICFG1 0x3FF5F06C bits 7..31) × 15625 × CK8M_FREQ
    // (eFuse word 4 0x3FF5A010 bits 0..7) / 40; all-zero registers made it send rate 0, which the
    // ROM refuses while esptool switches its own side. 1024 × 15625 × 100 / 40 = exactly 40 MHz.
    registers: { 0x3ff5a00c: 0x0000a200, 0x3ff5a014: 0x00100000, 0x3ff6607c: 0x80000000, 0x3ff40014: 347, 0x3ff5f06c: 1024 << 7, 0x3ff5a010: 100 },
    spi: { base: 0x3ff42000, usr: 0x1c, usr1: 0x20, usr2: 0x24, mosiDlen: 0x28, misoDlen: 0x2c, w0: 0x80, addrMsb: true },
    bootloaderOffset: 0x1000,
    usbJtagSerial: false,
    bannerDownload: ["ets Jul 29 2019 12:21:46", "", "rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))"],
    bannerSpiBoot: [
      "ets Jul 29 2019 12:21:46",
      "",
      "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)",
      "configsip: 0, SPIWP:0xee",
      "clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00",
      "mode:DIO, clock div:1",
    ],
    noImageStyle: "flash-read-err",
  },
  esp32s2: {
    displayName: "ESP32-S2",
    magic: [0x000007c6],
    chipId: 2,
    romSecurityInfoBytes: 12,
    romFlashBeginBytes: 20,
    stubUartRecord: 0x3ffffcfc,
    rtcWdt: { config0: 0x3f408094, config1: 0x3f408098, wprotect: 0x3f4080ac },
    macReg: 0x3f41a044,
    macCrc: false,
    registers: {},
    spi: { base: 0x3f402000, ...SPI_NEW },
    bootloaderOffset: 0x1000,
    usbJtagSerial: false,
    bannerDownload: ["ESP-ROM:esp32s2-rc4-20191025", "Build:Oct 25 2019", "rst:0x1 (POWERON),boot:0x0 (DOWNLOAD(USB/UART0/1))"],
    bannerSpiBoot: ["ESP-ROM:esp32s2-rc4-20191025", "Build:Oct 25 2019", "rst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)", "SPIWP:0xee", "mode:DIO, clock div:1"],
    noImageStyle: "flash-read-err",
  },
  esp32s3: {
    displayName: "ESP32-S3",
    magic: [0x00000009],
    chipId: 9,
    romSecurityInfoBytes: 20,
    romFlashBeginBytes: 20,
    rtcWdt: { config0: 0x60008098, config1: 0x6000809c, wprotect: 0x600080b0 },
    macReg: 0x60007044,
    macCrc: false,
    // §3.3 traced defaults: "ESP32-S3 (QFN56) (revision v1.1)".
    registers: { 0x60007050: 0x00040000, 0x60007058: 0x01000000 },
    spi: { base: 0x60002000, ...SPI_NEW },
    bootloaderOffset: 0x0,
    usbJtagSerial: true,
    bannerDownload: ["ESP-ROM:esp32s3-20210327", "Build:Mar 27 2021", "rst:0x1 (POWERON),boot:0x0 (DOWNLOAD(USB/UART0))"],
    bannerSpiBoot: ["ESP-ROM:esp32s3-20210327", "Build:Mar 27 2021", "rst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)", "SPIWP:0xee", "mode:DIO, clock div:1"],
    noImageStyle: "invalid-header",
  },
  esp32c3: {
    displayName: "ESP32-C3",
    // 0x1B31506F is the revision v0.3 (ECO3) magic the real C3 ROM answers (QEMU's ESP32-C3 v0.3),
    // consistent with the revision the registers below report.
    magic: [0x1b31506f, 0x6921506f, 0x4881606f, 0x4361606f],
    chipId: 5,
    romSecurityInfoBytes: 20,
    // Observed on the real C3 ROM and stub (QEMU, revision v0.3): key_purposes[6] = 0x0C and
    // api_version (the last word) = 3.
    romSecurityInfoFixed: { 11: 0x0c, 16: 3 },
    romFlashBeginBytes: 20,
    rtcWdt: { config0: 0x60008090, config1: 0x60008094, wprotect: 0x600080a8 },
    macReg: 0x60008844,
    macCrc: false,
    // §3.3 traced defaults: "ESP32-C3 (QFN32) (revision v0.3)".
    registers: { 0x60008850: 0x000c0000 },
    spi: { base: 0x60002000, ...SPI_NEW },
    bootloaderOffset: 0x0,
    usbJtagSerial: true,
    bannerDownload: ["ESP-ROM:esp32c3-api1-20210207", "Build:Feb  7 2021", "rst:0x1 (POWERON),boot:0x4 (DOWNLOAD(USB/UART0/1))"],
    bannerSpiBoot: ["ESP-ROM:esp32c3-api1-20210207", "Build:Feb  7 2021", "rst:0x1 (POWERON),boot:0xc (SPI_FAST_FLASH_BOOT)", "SPIWP:0xee", "mode:DIO, clock div:1"],
    noImageStyle: "invalid-header",
  },
  esp32c6: {
    displayName: "ESP32-C6",
    magic: [0x2ce0806f],
    chipId: 13,
    romSecurityInfoBytes: 20,
    romFlashBeginBytes: 20,
    rtcWdt: { config0: 0x600b1c00, config1: 0x600b1c04, wprotect: 0x600b1c18 },
    macReg: 0x600b0844,
    macCrc: false,
    // eFuse BLOCK1 word 3: minor revision 1 (bits 18..), package 0.
    registers: { 0x600b0850: 0x00040000 },
    spi: { base: 0x60003000, ...SPI_NEW },
    bootloaderOffset: 0x0,
    usbJtagSerial: true,
    bannerDownload: ["ESP-ROM:esp32c6-20220919", "Build:Sep 19 2022", "rst:0x1 (POWERON),boot:0x4 (DOWNLOAD(USB/UART/SDIO_REI_FEO))"],
    bannerSpiBoot: ["ESP-ROM:esp32c6-20220919", "Build:Sep 19 2022", "rst:0x1 (POWERON),boot:0x6c (SPI_FAST_FLASH_BOOT)", "SPIWP:0xee", "mode:DIO, clock div:2"],
    noImageStyle: "invalid-header",
  },
  esp32h2: {
    displayName: "ESP32-H2",
    magic: [0xd7b73e80, 0x97e30068],
    chipId: 16,
    romSecurityInfoBytes: 20,
    romFlashBeginBytes: 20,
    rtcWdt: { config0: 0x600b1c00, config1: 0x600b1c04, wprotect: 0x600b1c1c },
    macReg: 0x600b0844,
    macCrc: false,
    // eFuse BLOCK1 word 3: minor revision 1; word 4 package 0.
    registers: { 0x600b0850: 0x00040000 },
    spi: { base: 0x60003000, ...SPI_NEW },
    bootloaderOffset: 0x0,
    usbJtagSerial: true,
    bannerDownload: ["ESP-ROM:esp32h2-20221101", "Build:Nov  1 2022", "rst:0x1 (POWERON),boot:0x4 (DOWNLOAD(USB/UART0))"],
    bannerSpiBoot: ["ESP-ROM:esp32h2-20221101", "Build:Nov  1 2022", "rst:0x1 (POWERON),boot:0xc (SPI_FAST_FLASH_BOOT)", "SPIWP:0xee", "mode:DIO, clock div:1"],
    noImageStyle: "invalid-header",
  },
  esp32c2: {
    displayName: "ESP32-C2",
    magic: [0x7c41a06f, 0x6f51306f, 0x0c21e06f],
    chipId: 12,
    romSecurityInfoBytes: 20,
    romFlashBeginBytes: 20,
    rtcWdt: { config0: 0x60008084, config1: 0x60008088, wprotect: 0x6000809c },
    // eFuse BLOCK2 (0x60008840): word 0 and the low half of word 1 hold the MAC; word 1 also holds
    // the revision (minor bits 16..19, major bits 20..21 → v1.0) and package (bits 22..24: 0).
    macReg: 0x60008840,
    macCrc: false,
    // UART_CLKDIV 347 at 115200: a 40 MHz crystal, which the ROM's rate assumes (a 26 MHz C2 boots at 74880).
    registers: { 0x60008844: 0x00100000, 0x60000014: 347 },
    spi: { base: 0x60002000, ...SPI_NEW },
    bootloaderOffset: 0x0,
    usbJtagSerial: false,
    // ESP-IDF's C2 documentation shows this banner (the ROM calls the chip by its ESP8684 name).
    bannerDownload: ["ESP-ROM:esp8684-api2-20220127", "Build:Jan 27 2022", "rst:0x1 (POWERON),boot:0x4 (DOWNLOAD(UART0))"],
    bannerSpiBoot: ["ESP-ROM:esp8684-api2-20220127", "Build:Jan 27 2022", "rst:0x1 (POWERON),boot:0xc (SPI_FAST_FLASH_BOOT)", "SPIWP:0xee", "mode:DIO, clock div:1"],
    noImageStyle: "invalid-header",
  },
  esp32c5: {
    displayName: "ESP32-C5",
    magic: [0x1101406f, 0x63e1406f, 0x5fd1406f, 0x30e1706f],
    chipId: 23,
    romSecurityInfoBytes: 20,
    romFlashBeginBytes: 20,
    // Its ROM keeps the ESP32-C6's LP watchdog registers (esptool's C5 target inherits them).
    rtcWdt: { config0: 0x600b1c00, config1: 0x600b1c04, wprotect: 0x600b1c18 },
    macReg: 0x600b4844,
    macCrc: false,
    // eFuse BLOCK1 word 2 (0x600B484C): minor revision bits 0..3, major 4..5, package 26..28 → v0.1,
    // the revision the ESP-IDF v5.4 builds target (v0.0 to v0.99). UART_CLKDIV 347 and
    // PCR_SYSCLK_CONF's crystal field 40: a 40 MHz crystal, the one the ROM expects.
    registers: { 0x600b484c: 0x00000001, 0x60000014: 347, 0x60096110: 40 << 24 },
    spi: { base: 0x60003000, ...SPI_NEW },
    bootloaderOffset: 0x2000,
    usbJtagSerial: true,
    // Banner of the ESP32-C5 ROM as boards print it; the boot strap value in download mode is the
    // flash-boot value with the boot pin's bit clear, as on the ESP32-P4 (0x30f / 0x307).
    bannerDownload: ["ESP-ROM:esp32c5-eco2-20250121", "Build:Jan 21 2025", "rst:0x1 (POWERON),boot:0x10 (DOWNLOAD(USB/UART0/SPI))"],
    bannerSpiBoot: ["ESP-ROM:esp32c5-eco2-20250121", "Build:Jan 21 2025", "rst:0x1 (POWERON),boot:0x18 (SPI_FAST_FLASH_BOOT)", "SPI mode:DIO, clock div:1"],
    noImageStyle: "invalid-header",
  },
  esp32p4: {
    displayName: "ESP32-P4",
    magic: [0x0addbad0],
    chipId: 18,
    romSecurityInfoBytes: 20,
    romFlashBeginBytes: 20,
    // The P4's stub, like the S2's, sets the UART to the rate in the ROM's UartDevice record
    // (`main.c`); on revisions before v3.0 the record is at 0x4FF3FEB0 (esptool's P4 target).
    stubUartRecord: 0x4ff3feb0,
    rtcWdt: { config0: 0x50116000, config1: 0x50116004, wprotect: 0x50116018 },
    macReg: 0x5012d044,
    macCrc: false,
    // eFuse BLOCK1 word 2 (0x5012D04C): minor bits 0..3, major bits 4..5 (+ bit 23 as major bit 2),
    // package 20..22 → v1.0, within the v0.1..v1.99 range of the ESP-IDF v5.3 builds.
    registers: { 0x5012d04c: 0x00000010 },
    spi: { base: 0x5008d000, ...SPI_NEW },
    bootloaderOffset: 0x2000,
    usbJtagSerial: true,
    bannerDownload: ["ESP-ROM:esp32p4-eco2-20240710", "Build:Jul 10 2024", "rst:0x1 (POWERON),boot:0x307 (DOWNLOAD(USB/UART0/SPI))"],
    bannerSpiBoot: ["ESP-ROM:esp32p4-eco2-20240710", "Build:Jul 10 2024", "rst:0x1 (POWERON),boot:0x30f (SPI_FAST_FLASH_BOOT)", "SPI mode:DIO, clock div:1"],
    noImageStyle: "invalid-header",
  },
  esp32c61: {
    displayName: "ESP32-C61",
    magic: [0x33f0206f, 0x2421606f],
    chipId: 20,
    romSecurityInfoBytes: 20,
    romFlashBeginBytes: 20,
    // esptool's C61 target keeps the ESP32-C6's SPI controller, LP watchdog and bootloader offset.
    rtcWdt: { config0: 0x600b1c00, config1: 0x600b1c04, wprotect: 0x600b1c18 },
    macReg: 0x600b4844,
    macCrc: false,
    // eFuse BLOCK1 word 2 (0x600B484C): minor bits 0..3, major bits 4..5, package 26..28 → v1.0.
    registers: { 0x600b484c: 0x00000010 },
    spi: { base: 0x60003000, ...SPI_NEW },
    bootloaderOffset: 0x0,
    usbJtagSerial: true,
    // The ROM banner ESP-IDF's C61 documentation shows; download mode in the C3's form.
    bannerDownload: ["ESP-ROM:esp32c61-eco3-20250228", "Build:Feb 28 2025", "rst:0x1 (POWERON),boot:0x4 (DOWNLOAD(USB/UART0))"],
    bannerSpiBoot: ["ESP-ROM:esp32c61-eco3-20250228", "Build:Feb 28 2025", "rst:0x1 (POWERON),boot:0xc (SPI_FAST_FLASH_BOOT)", "SPI mode:DIO, clock div:1"],
    noImageStyle: "invalid-header",
  },
} as const satisfies Record<string, SimChipSpec>;

/** Name of a simulated chip. */
export type SimChipName = keyof typeof SIM_CHIP_TABLE;

/** Names of all simulated chips. */
export const SIM_CHIPS = Object.keys(SIM_CHIP_TABLE) as readonly SimChipName[];

/** Magic register read by hosts to identify the chip, §3.3. */
export const CHIP_MAGIC_REG = 0x40001000;

/** Last line of the download-mode banner, §4.4 (hosts regex for it). */
export const WAITING_FOR_DOWNLOAD = "waiting for download";

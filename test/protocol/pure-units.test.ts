import { describe, expect, it } from "vitest";
import { deflateSync } from "node:zlib";
import { createHash, randomBytes } from "node:crypto";
import { decodeMd5Payload } from "../../src/protocol/md5-reply.js";
import { flashSizeFromJedecId } from "../../src/protocol/jedec.js";
import { esp32c2Revision, esp32Revision, revisionFromBlock1 } from "../../src/protocol/revision.js";
import { crystalScaledRomRate } from "../../src/protocol/rom-uart.js";
import { chipNameFromEsptool, parseSecurityState } from "../../src/protocol/chip-description.js";
import { inflatedBlockSizes } from "../../src/protocol/inflated-sizes.js";

describe("MD5 reply decoding", () => {
  const digest = createHash("md5").update("espsync").digest();
  it("decodes the ROM's 32 ASCII hex characters to 16 bytes", () => {
    const ascii = Uint8Array.from(Buffer.from(digest.toString("hex"), "latin1"));
    expect(Buffer.from(decodeMd5Payload(ascii, false) as Uint8Array)).toEqual(digest);
  });
  it("accepts upper-case hex from the ROM", () => {
    const ascii = Uint8Array.from(Buffer.from(digest.toString("hex").toUpperCase(), "latin1"));
    expect(Buffer.from(decodeMd5Payload(ascii, false) as Uint8Array)).toEqual(digest);
  });
  it("passes the stub's 16 raw bytes through", () => {
    expect(Buffer.from(decodeMd5Payload(Uint8Array.from(digest), true) as Uint8Array)).toEqual(digest);
  });
  it("rejects malformed payloads", () => {
    expect(decodeMd5Payload(new Uint8Array(16), false)).toBeUndefined();
    expect(decodeMd5Payload(Uint8Array.from(Buffer.from("z".repeat(32), "latin1")), false)).toBeUndefined();
    expect(decodeMd5Payload(new Uint8Array(32), true)).toBeUndefined();
  });
});

describe("flash size from JEDEC id", () => {
  it.each([
    [0x1640c8, 4 << 20],
    [0x1840ef, 16 << 20],
    [0x3970c2, 32 << 20],
    [0x1240ef, 256 * 1024],
    [0x000000, 0],
    [0xffffff, 0],
  ])("0x%s", (id, size) => expect(flashSizeFromJedecId(id)).toBe(size));
});

describe("revisions", () => {
  it("ESP32-S3 from 0x60007050/0x60007058 (traced defaults → v1.1)", () => {
    expect(revisionFromBlock1(0x00040000, 0x01000000, 0)).toBe(101);
  });
  it("ESP32-S3 minor high bit", () => {
    expect(revisionFromBlock1(0x00040000, 0x00800000 | 0x01000000, 0)).toBe(109);
  });
  it("ESP32-S3 v0.0 recognised by block version 1.1", () => {
    expect(revisionFromBlock1(0x01000000, 0x01000000, 0x1)).toBe(0);
  });
  it("ESP32-C3 traced default → v0.3", () => {
    expect(revisionFromBlock1(0x000c0000, 0)).toBe(3);
  });
  it("ESP32 traced defaults → v3.0, and the bit table", () => {
    expect(esp32Revision(0x0000a200, 0x00100000, 0x80000000)).toBe(300);
    expect(esp32Revision(0x00008000, 0, 0)).toBe(100);
    expect(esp32Revision(0x00008000, 0x00100000, 0)).toBe(200);
    expect(esp32Revision(0, 0x01000000, 0)).toBe(1);
  });
});

describe("ESP32-C2 revision (eFuse BLOCK2 word 1, beside MAC bytes 0..1)", () => {
  it("minor in bits 16..19, major in bits 20..21; the MAC half does not leak in", () => {
    expect(esp32c2Revision(0x0010240a)).toBe(100);
    expect(esp32c2Revision(0x0021ffff)).toBe(201);
    expect(esp32c2Revision(0x0040ffff)).toBe(0); // bit 22 is the package
  });
});

describe("ROM baud requests scaled for the crystal the ROM assumes (esptool's change_baud)", () => {
  // UART_CLKDIV at 115200: 347 from 40 MHz, 226 from 26 MHz, 417 from 48 MHz.
  it("ESP32-C2: 40 MHz asks for the rate itself, 26 MHz for rate × 40 / 26", () => {
    expect(crystalScaledRomRate("esp32c2", 921600, 115200, 347)).toBe(921600);
    expect(crystalScaledRomRate("esp32c2", 921600, 115200, 226)).toBe(1417846);
  });
  it("ESP32-C5: scaled only when the fitted crystal differs from the ROM's (PCR bits 24..30)", () => {
    expect(crystalScaledRomRate("esp32c5", 921600, 115200, 347, 40 << 24)).toBe(921600);
    expect(crystalScaledRomRate("esp32c5", 921600, 115200, 417, 48 << 24)).toBe(921600);
    expect(crystalScaledRomRate("esp32c5", 921600, 115200, 417, 40 << 24)).toBe(768000);
    expect(crystalScaledRomRate("esp32c5", 921600, 115200, 347, 48 << 24)).toBe(1105920);
  });
});

describe("chip names and security", () => {
  it("maps esptool-js names", () => {
    expect(chipNameFromEsptool("ESP32-C3")).toBe("esp32c3");
    expect(chipNameFromEsptool("ESP32")).toBe("esp32");
    expect(chipNameFromEsptool("ESP8266")).toBeUndefined();
  });
  it("flash encryption is an odd number of FLASH_CRYPT_CNT bits; SDM is flag bit 2", () => {
    expect(parseSecurityState({ flags: 0x4, flashCryptCnt: 0b111, chipId: 9 })).toEqual({
      flags: 4, flashCryptCount: 7, flashEncryption: true, secureBoot: false, secureDownloadMode: true, chipId: 9,
    });
    expect(parseSecurityState({ flags: 0x1, flashCryptCnt: 0b11, chipId: null }).flashEncryption).toBe(false);
  });
});

describe("inflatedBlockSizes", () => {
  it("sums to the data length and shows how much each compressed block expands", async () => {
    const data = Buffer.concat([Buffer.alloc(200_000, 0x00), randomBytes(40_000)]);
    const compressed = deflateSync(data, { level: 9 });
    const sizes = await inflatedBlockSizes(compressed, 0x4000);
    expect(sizes.length).toBe(Math.ceil(compressed.length / 0x4000));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(data.length);
    // The first block holds the whole zero run: far more than 64 KiB of flash for 16 KiB sent.
    expect(sizes[0]).toBeGreaterThan(0x10000);
  });
  it("rejects a stream that is not zlib", async () => {
    await expect(inflatedBlockSizes(Uint8Array.from([1, 2, 3, 4, 5]), 0x4000)).rejects.toThrow();
  });
});

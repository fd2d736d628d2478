/**
 * espsync drives esptool-js 0.7.0 beyond its documented surface: it sets `IS_STUB` and
 * `ESP_RAM_BLOCK`, calls `readPacket`, imports the chip table from `lib/targets`, uses the
 * transport's input helpers and recognises failures by esptool-js's error classes and texts
 * (protocol-errors.ts). The version is pinned exactly; this test fails loudly, naming what moved,
 * when an esptool-js that changed any of it is installed.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESPLoader, getStubJsonByChipName, TimeoutError, Transport, UnsupportedCommandError } from "esptool-js";
import { CHIP_DEFS } from "esptool-js/lib/targets/index.js";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LIB = path.dirname(createRequire(import.meta.url).resolve("esptool-js"));
const source = (file: string): string => readFileSync(path.join(LIB, file), "utf8");

describe("esptool-js internals espsync relies on", () => {
  it("is pinned to exactly 0.7.0, and 0.7.0 is what is installed", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(pkg.dependencies["esptool-js"]).toBe("0.7.0");
    const installed = JSON.parse(readFileSync(path.join(LIB, "..", "package.json"), "utf8")) as { version: string };
    expect(installed.version).toBe("0.7.0");
  });

  it("ESPLoader has the methods and writable fields espsync uses", () => {
    // _connectAttempt: wrapped per connect to count the attempts and stop between them on Ctrl-C.
    for (const method of ["connect", "_connectAttempt", "command", "readPacket", "readReg", "runStub", "getChipId", "getSecurityInfo", "readFlashId"]) {
      expect(typeof (ESPLoader.prototype as unknown as Record<string, unknown>)[method], `ESPLoader.${method}`).toBe("function");
    }
    const loader = new ESPLoader({ transport: new Transport({ getInfo: () => ({}) } as never, false), baudrate: 115200, terminal: { clean() {}, write() {}, writeLine() {} } });
    expect(loader.IS_STUB).toBe(false);
    expect(typeof loader.ESP_RAM_BLOCK).toBe("number");
    for (const method of ["connect", "disconnect", "readLoop", "drainInput", "flushInput"]) {
      expect(typeof (Transport.prototype as unknown as Record<string, unknown>)[method], `Transport.${method}`).toBe("function");
    }
  });

  it("lib/targets exports the chip table with every chip espsync supports, and their stubs", async () => {
    const expected: Record<string, [string, number]> = {
      esp32: ["ESP32", 0], esp32s2: ["ESP32-S2", 2], esp32s3: ["ESP32-S3", 9], esp32c2: ["ESP32-C2", 12], esp32c3: ["ESP32-C3", 5],
      esp32c5: ["ESP32-C5", 23], esp32c6: ["ESP32-C6", 13], esp32c61: ["ESP32-C61", 20], esp32h2: ["ESP32-H2", 16], esp32p4: ["ESP32-P4", 18],
    };
    for (const [key, [name, chipId]] of Object.entries(expected)) {
      const rom = (CHIP_DEFS as Record<string, { CHIP_NAME: string; IMAGE_CHIP_ID: number }>)[key];
      expect(rom, `CHIP_DEFS.${key}`).toBeDefined();
      expect([rom?.CHIP_NAME, rom?.IMAGE_CHIP_ID]).toEqual([name, chipId]);
      const stub = (await getStubJsonByChipName(name)) as { text?: string; entry?: number } | undefined;
      expect(stub?.text, `stub for ${name}`).toBeTruthy();
    }
  });

  it("the errors espsync recognises keep their classes and texts", () => {
    expect(new UnsupportedCommandError()).toBeInstanceOf(Error);
    expect(new TimeoutError("x").name).toBe("TimeoutError");
    const loaderJs = source("esploader.js");
    for (const text of ["Failed to connect with the device", "Only got ${resp[1].length} bytes of data", "Failed to start stub. Unexpected response"]) {
      expect(loaderJs, text).toContain(text);
    }
    const serialJs = source("webserial.js");
    for (const text of ["Serial data stream stopped", "No serial data received."]) expect(serialJs, text).toContain(text);
  });
});

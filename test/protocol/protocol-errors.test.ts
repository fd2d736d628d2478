import { ESPError, TimeoutError, UnsupportedCommandError } from "esptool-js";
import { describe, expect, it } from "vitest";
import { EspsyncError, RomError, WriteInterruptedError } from "../../src/errors.js";
import { interruptedError, statusError, translateError } from "../../src/protocol/protocol-errors.js";

const cmd = { what: "SPI_FLASH_MD5 at 0x00010000 (4096 bytes)", phase: "command" as const, timeoutMs: 3000 };
const conn = { what: "connect to sim:esp32", phase: "connect" as const };
const bytes = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));

describe("translateError: esptool-js message text → stable codes", () => {
  const table: [string, Error, Parameters<typeof translateError>[1], string][] = [
    ["Failed to connect, nothing received", new ESPError("Failed to connect with the device"), conn, "SYNC_FAILED"],
    ["Failed to connect, garbage received", new ESPError("Failed to connect with the device"), { ...conn, received: bytes("hello world\r\n") }, "NOT_AN_ESP"],
    ["Failed to connect, app boot log", new ESPError("Failed to connect with the device"), { ...conn, received: bytes("rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)") }, "SYNC_FAILED"],
    ["Failed to connect, download banner but no sync", new ESPError("Failed to connect with the device"), { ...conn, received: bytes("rst:0x1 (POWERON),boot:0x0 (DOWNLOAD(USB/UART0))\r\nwaiting for download\r\n") }, "SYNC_FAILED"],
    ["serial stream stopped", new ESPError("Serial data stream stopped: Possible serial noise or corruption."), cmd, "TIMEOUT"],
    ["no serial data", new ESPError("No serial data received."), cmd, "TIMEOUT"],
    ["TimeoutError class", new TimeoutError("whatever"), cmd, "TIMEOUT"],
    ["invalid head of packet", new ESPError("Invalid head of packet (0x41): Possible serial noise or corruption."), cmd, "PROTOCOL_ERROR"],
    ["invalid head during connect", new ESPError("Invalid head of packet (0x41): Possible serial noise or corruption."), { ...conn, received: bytes("AT+OK") }, "NOT_AN_ESP"],
    ["invalid SLIP escape", new ESPError("Invalid SLIP escape (0xdb, 0x12)"), cmd, "PROTOCOL_ERROR"],
    ["unsupported command", new UnsupportedCommandError(), cmd, "UNSUPPORTED"],
    ["unsupported in SDM", new UnsupportedCommandError(), { ...cmd, secureDownloadMode: true }, "SECURE_DOWNLOAD_MODE"],
    ["status failure", new ESPError("Failed to enter RAM download mode failed with status 1,5"), cmd, "ROM_ERROR"],
    ["stub did not start", new ESPError("Failed to start stub. Unexpected response xyz"), cmd, "PROTOCOL_ERROR"],
    ["unknown magic", new ESPError("Unexpected CHIP magic value 0xdeadbeef. Failed to autodetect chip type."), conn, "CHIP_UNKNOWN"],
    ["port closed wins", new ESPError("Serial data stream stopped: Possible serial noise or corruption."), { ...cmd, portClosed: true }, "PORT_CLOSED"],
  ];
  it.each(table)("%s", (_name, err, ctx, code) => {
    const out = translateError(err, ctx);
    expect(out).toBeInstanceOf(EspsyncError);
    expect(out.code).toBe(code);
    expect(out.hint).toBeTruthy();
    expect(out.cause === err || out.code === "PORT_CLOSED" || (out.cause as Error | undefined)?.message === err.message).toBe(true);
  });

  it("keeps the ROM status and the opcode of esptool-js status failures", () => {
    const out = translateError(new ESPError("Failed to enter RAM download mode failed with status 1,5"), cmd);
    expect(out).toBeInstanceOf(RomError);
    expect((out as RomError).op).toBe(0x05);
    expect((out as RomError).status).toBe(0x05);
    expect(out.message).toContain("MEM_BEGIN");
  });

  it("passes EspsyncErrors through unchanged", () => {
    const e = new EspsyncError("VERIFY_MISMATCH", "x");
    expect(translateError(e, cmd)).toBe(e);
  });

  it("ROM banners naming the UART boot as on Espressif's QEMU (§10), or cut before boot:, are download mode, not another device", () => {
    const failed = new ESPError("Failed to connect with the device");
    const cases = [
      "ets Jul 29 2019 12:21:46\r\n\r\nrst:0x1 (POWERON_RESET),boot:0xf (UART_BOOT(UART0))\r\n",
      "ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\nrst:0x1 (POWERON),boot:0x2 (UART0_BOOT)\r\nwait uart0 download\r\n",
      "ets Jul 29 2019 12:21:46\r\n\r\nrst:",
    ];
    for (const banner of cases) {
      const out = translateError(failed, { ...conn, received: bytes(banner) });
      expect(out.code, banner).toBe("SYNC_FAILED");
      expect(out.message, banner).toMatch(/is in download mode.* but does not answer SYNC/);
    }
  });

  it("names the operation and the timeout in TIMEOUT messages", () => {
    const out = translateError(new ESPError("Serial data stream stopped: x"), cmd);
    expect(out.message).toBe("no answer to SPI_FLASH_MD5 at 0x00010000 (4096 bytes) within 3000 ms");
  });
});

describe("statusError: ROM/stub status table", () => {
  it("names the command and the ROM error", () => {
    const e = statusError(0x02, 0x05, false, "write of 16 bytes at 0x00010000: begin");
    expect(e.code).toBe("ROM_ERROR");
    expect(e.op).toBe(0x02);
    expect(e.status).toBe(0x05);
    expect(e.message).toBe(
      "FLASH_BEGIN failed: write of 16 bytes at 0x00010000: begin: ROM error 0x05 (received message format invalid (or command not supported))",
    );
  });
  it("decodes stub codes as big-endian 16-bit values", () => {
    const e = statusError(0x11, 0xc700, true, "block 2");
    expect(e.status).toBe(0xc700);
    expect(e.message).toContain("FLASH_DEFL_DATA failed");
    expect(e.message).toContain("stub status 0xc700 (INFLATE_ERROR");
  });
  it("unknown codes still produce a message", () => {
    expect(statusError(0x13, 0x42, false, "x").message).toContain("ROM error 0x42");
  });
});

describe("interruptedError", () => {
  it("is INTERRUPTED and carries the bytes written", () => {
    const e = interruptedError(0x10000, 0x4000, 0x10000);
    expect(e).toBeInstanceOf(WriteInterruptedError);
    expect(e.code).toBe("INTERRUPTED");
    expect(e.writtenBytes).toBe(0x4000);
    expect(e.message).toBe("write at 0x00010000 interrupted after 16384 of 65536 bytes");
  });
});

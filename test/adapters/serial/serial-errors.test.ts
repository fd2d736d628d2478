import { describe, expect, it } from "vitest";
import { classifySerialError, mapSerialOpenError } from "../../../adapters/serial/serial-errors.js";

// The messages are the ones the serialport binding produces (seen on Linux and reported on Windows).
describe("serial error mapping", () => {
  it.each([
    [new Error("Error: No such file or directory, cannot open /dev/ttyUSB9"), "linux", "not-found"],
    [new Error("Error: Permission denied, cannot open /dev/ttyUSB0"), "linux", "permission"],
    [new Error("Error Resource temporarily unavailable Cannot lock port"), "linux", "busy"],
    [new Error("Error: Device or resource busy, cannot open /dev/ttyACM0"), "linux", "busy"],
    [new Error("Error: Inappropriate ioctl for device, cannot set"), "linux", "not-a-tty"],
    [new Error("Opening COM3: Access denied"), "win32", "busy"],
    [new Error("Opening COM9: File not found"), "win32", "not-found"],
    [Object.assign(new Error("open"), { code: "EACCES" }), "linux", "permission"],
    [new Error("Error: Input/output error"), "linux", "other"],
  ] as const)("classifies %s on %s as %s", (err, platform, expected) => {
    expect(classifySerialError(err, platform)).toBe(expected);
  });

  it("lists the ports that exist when the path does not", () => {
    const err = mapSerialOpenError(new Error("Error: No such file or directory, cannot open /dev/ttyUSB9"), "/dev/ttyUSB9", ["/dev/ttyACM0", "/dev/ttyUSB0"], "linux");
    expect(err.code).toBe("PORT_NOT_FOUND");
    expect(err.message).toBe("serial port /dev/ttyUSB9 does not exist; serial ports present: /dev/ttyACM0, /dev/ttyUSB0");
  });

  it("gives the Linux group hint for a permission error, and keeps the OS error as cause", () => {
    const cause = new Error("Error: Permission denied, cannot open /dev/ttyUSB0");
    const err = mapSerialOpenError(cause, "/dev/ttyUSB0", [], "linux");
    expect(err.code).toBe("PORT_PERMISSION");
    expect(err.hint).toContain("dialout");
    expect(err.hint).toContain("uucp");
    expect(err.cause).toBe(cause);
  });

  it("calls a Windows 'Access denied' PORT_BUSY", () => {
    expect(mapSerialOpenError(new Error("Opening COM3: Access denied"), "COM3", [], "win32").code).toBe("PORT_BUSY");
  });
});

/**
 * Translation of the operating system's serial-port failures (as the serialport binding reports them:
 * sometimes an errno `code`, often only the OS message text) into espsync errors.
 */
import { EspsyncError } from "../../src/errors.js";

/** What went wrong, in espsync's words. */
export type SerialFailure = "not-found" | "permission" | "busy" | "not-a-tty" | "other";

/** Classifies an error from opening a serial port. `platform` defaults to the running one. */
export function classifySerialError(err: unknown, platform: NodeJS.Platform = process.platform): SerialFailure {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === "ENOENT" || /No such file|cannot find the file|File not found/i.test(message)) return "not-found";
  // Windows reports a COM port another program holds as "Access denied".
  if (platform === "win32" && /Access (is )?denied/i.test(message)) return "busy";
  if (code === "EACCES" || code === "EPERM" || /Permission denied|Access (is )?denied|Operation not permitted/i.test(message)) {
    return "permission";
  }
  if (code === "EBUSY" || code === "EAGAIN" || /Cannot lock port|Resource temporarily unavailable|resource busy/i.test(message)) {
    return "busy";
  }
  if (code === "ENOTTY" || /Inappropriate ioctl/i.test(message)) return "not-a-tty";
  return "other";
}

/**
 * Builds the error for a failed open of `path`. `existingPorts` (the ports discovery found) is listed
 * in the message when the path does not exist, so the user sees what to type instead.
 */
export function mapSerialOpenError(
  err: unknown,
  path: string,
  existingPorts: readonly string[] = [],
  platform: NodeJS.Platform = process.platform,
): EspsyncError {
  const osMessage = err instanceof Error ? err.message : String(err);
  switch (classifySerialError(err, platform)) {
    case "not-found": {
      const known = existingPorts.length > 0 ? `; serial ports present: ${existingPorts.join(", ")}` : "; no serial ports found";
      return new EspsyncError("PORT_NOT_FOUND", `serial port ${path} does not exist${known}`, {
        hint: "Check the cable and the port name, or leave the port out to pick the ESP board automatically.",
        cause: err,
      });
    }
    case "permission":
      return new EspsyncError("PORT_PERMISSION", `no permission to open serial port ${path}`, {
        hint:
          platform === "linux"
            ? "Add your user to the `dialout` group (`uucp` on Arch Linux): `sudo usermod -aG dialout $USER`, then log out and in again."
            : "Check the device's permissions, or close the program that holds it.",
        cause: err,
      });
    case "busy":
      return new EspsyncError("PORT_BUSY", `serial port ${path} is in use by another program`, {
        hint: "Close the other program (a serial monitor, another espsync or esptool) and try again.",
        cause: err,
      });
    case "not-a-tty":
      return new EspsyncError("PORT_NOT_FOUND", `${path} is not a serial port`, {
        hint: "Name a serial device such as /dev/ttyUSB0, /dev/ttyACM0, /dev/cu.usbserial-* or COM3.",
        cause: err,
      });
    default:
      return new EspsyncError("PORT_NOT_FOUND", `cannot open serial port ${path}: ${osMessage}`, {
        hint: "Check the cable and the port name.",
        cause: err,
      });
  }
}

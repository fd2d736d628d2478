/** Small byte/hex helpers shared across layers. */

/** Lower-case hex of `bytes` (`"0a1b"`). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

/** Formats a byte count the way messages do: `4096 bytes (0x1000)`. */
export function formatSize(sizeBytes: number): string {
  return `${sizeBytes} bytes (0x${sizeBytes.toString(16)})`;
}

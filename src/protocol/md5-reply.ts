/**
 * Decoding of SPI_FLASH_MD5 replies (PROTOCOL.md §2, §11): the stub sends the 16 raw digest bytes,
 * the ROM sends 32 lower-case ASCII hex characters. esptool-js 0.7.0 hex-encodes the ROM's ASCII
 * (a 64-character string that never matches), so the ROM form is decoded here.
 */

/** Payload length of an MD5 reply before the status bytes. */
export function md5PayloadBytes(stub: boolean): number {
  return stub ? 16 : 32;
}

/**
 * The 16 digest bytes of an MD5 reply payload, or `undefined` when the payload is malformed
 * (wrong length, non-hex characters in the ROM form).
 */
export function decodeMd5Payload(payload: Uint8Array, stub: boolean): Uint8Array | undefined {
  if (stub) return payload.length === 16 ? Uint8Array.from(payload) : undefined;
  if (payload.length !== 32) return undefined;
  const text = String.fromCharCode(...payload);
  if (!/^[0-9a-fA-F]{32}$/.test(text)) return undefined;
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Lower-case hex of a digest, for messages. */
export function digestHex(digest: Uint8Array): string {
  return Buffer.from(digest).toString("hex");
}

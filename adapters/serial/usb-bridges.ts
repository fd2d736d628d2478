/**
 * USB-to-UART bridges found on ESP32 boards, by USB vendor/product id. Espressif's own USB ids are from
 * PROTOCOL.md §3.6 (303A:1001 = USB-Serial/JTAG; other 303A products = the ROM's or an app's USB-OTG CDC).
 */

/** Name of a USB-UART bridge (or Espressif's built-in USB) as espsync reports it. */
export type UsbBridge =
  | "CP210x"
  | "CH340"
  | "CH341"
  | "CH343"
  | "CH9102"
  | "FTDI"
  | "PL2303"
  | "Espressif USB-JTAG-Serial"
  | "Espressif USB-OTG";

/** USB vendor ids of the bridge makers. */
export const USB_VENDOR = {
  ESPRESSIF: 0x303a,
  SILABS: 0x10c4,
  WCH: 0x1a86,
  FTDI: 0x0403,
  PROLIFIC: 0x067b,
} as const;

/** Known vendor:product pairs; a vendor entry with `product: undefined` matches any product. */
const BRIDGES: readonly { vendor: number; product?: number; bridge: UsbBridge; onEspBoards: boolean }[] = [
  { vendor: USB_VENDOR.ESPRESSIF, product: 0x1001, bridge: "Espressif USB-JTAG-Serial", onEspBoards: true },
  { vendor: USB_VENDOR.ESPRESSIF, bridge: "Espressif USB-OTG", onEspBoards: true },
  { vendor: USB_VENDOR.SILABS, product: 0xea60, bridge: "CP210x", onEspBoards: true }, // CP2102/CP2104
  { vendor: USB_VENDOR.SILABS, product: 0xea70, bridge: "CP210x", onEspBoards: true }, // CP2105
  { vendor: USB_VENDOR.SILABS, product: 0xea71, bridge: "CP210x", onEspBoards: true }, // CP2108
  { vendor: USB_VENDOR.WCH, product: 0x7523, bridge: "CH340", onEspBoards: true },
  { vendor: USB_VENDOR.WCH, product: 0x5523, bridge: "CH341", onEspBoards: true },
  { vendor: USB_VENDOR.WCH, product: 0x55d3, bridge: "CH343", onEspBoards: true },
  { vendor: USB_VENDOR.WCH, product: 0x55d4, bridge: "CH9102", onEspBoards: true },
  { vendor: USB_VENDOR.FTDI, bridge: "FTDI", onEspBoards: true }, // FT232R, FT2232H (ESP-Prog), FT231X …
  { vendor: USB_VENDOR.PROLIFIC, bridge: "PL2303", onEspBoards: false },
];

/** What a USB id says about a port. */
export interface BridgeGuess {
  /** The bridge, when the id is known. */
  readonly bridge?: UsbBridge;
  /** True when boards with an ESP32-family chip commonly use this bridge. */
  readonly likelyEsp: boolean;
}

/** Guesses the bridge from USB vendor/product ids (undefined ids: not a USB port). */
export function guessBridge(vendorId: number | undefined, productId: number | undefined): BridgeGuess {
  if (vendorId === undefined) return { likelyEsp: false };
  const entry =
    BRIDGES.find((b) => b.vendor === vendorId && b.product !== undefined && b.product === productId) ??
    BRIDGES.find((b) => b.vendor === vendorId && b.product === undefined);
  return entry === undefined ? { likelyEsp: false } : { bridge: entry.bridge, likelyEsp: entry.onEspBoards };
}

/** Formats a USB id pair as `10c4:ea60`. */
export function formatUsbId(vendorId: number, productId: number | undefined): string {
  const hex = (v: number): string => v.toString(16).padStart(4, "0");
  return productId === undefined ? hex(vendorId) : `${hex(vendorId)}:${hex(productId)}`;
}

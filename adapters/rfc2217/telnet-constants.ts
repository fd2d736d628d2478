/**
 * Telnet (RFC 854/855/856/858) and COM-PORT-OPTION (RFC 2217) constants. PROTOCOL.md §9 describes how
 * ser2net uses them; the numbers are from the RFCs.
 */

/** Telnet command bytes (RFC 854). */
export const TELNET = {
  SE: 240,
  NOP: 241,
  SB: 250,
  WILL: 251,
  WONT: 252,
  DO: 253,
  DONT: 254,
  IAC: 255,
} as const;

/** Telnet options espsync negotiates. */
export const TELNET_OPTION = {
  /** RFC 856: 8-bit transparent data. */
  BINARY: 0,
  /** RFC 857. */
  ECHO: 1,
  /** RFC 858: suppress go-ahead. */
  SGA: 3,
  /** RFC 2217: com port control. */
  COM_PORT: 44,
} as const;

/** RFC 2217 client→server subcommands; the server answers with the same number + 100. */
export const COM_PORT = {
  SIGNATURE: 0,
  SET_BAUDRATE: 1,
  SET_DATASIZE: 2,
  SET_PARITY: 3,
  SET_STOPSIZE: 4,
  SET_CONTROL: 5,
  NOTIFY_LINESTATE: 6,
  NOTIFY_MODEMSTATE: 7,
  FLOWCONTROL_SUSPEND: 8,
  FLOWCONTROL_RESUME: 9,
  SET_LINESTATE_MASK: 10,
  SET_MODEMSTATE_MASK: 11,
  PURGE_DATA: 12,
} as const;

/** Offset added to a subcommand number in the server's replies (RFC 2217). */
export const SERVER_REPLY_OFFSET = 100;

/** SET-CONTROL values (RFC 2217). */
export const SET_CONTROL = {
  REQUEST_FLOW: 0,
  FLOW_NONE: 1,
  REQUEST_BREAK: 4,
  BREAK_ON: 5,
  BREAK_OFF: 6,
  REQUEST_DTR: 7,
  DTR_ON: 8,
  DTR_OFF: 9,
  REQUEST_RTS: 10,
  RTS_ON: 11,
  RTS_OFF: 12,
} as const;

/** PURGE-DATA values (RFC 2217): which of the access server's buffers to discard. */
export const PURGE = {
  /** Data received from the device, not yet sent to the client. */
  RECEIVE: 1,
  /** Data from the client, not yet sent to the device. */
  TRANSMIT: 2,
  BOTH: 3,
} as const;

/** SET-PARITY value "none" and SET-STOPSIZE value "1" (RFC 2217), used for 8N1. */
export const LINE_8N1 = { dataBits: 8, parityNone: 1, stopBits1: 1 } as const;

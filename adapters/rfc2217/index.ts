/** RFC 2217 (`rfc2217://`) client port, server, and the pure telnet codec underneath. */
export { Rfc2217Port, type Rfc2217PortOptions, type ControlLinesState, type PurgeTarget } from "./rfc2217-port.js";
export { serveRfc2217, type Rfc2217ServerOptions } from "./rfc2217-server.js";
export * from "./telnet-codec.js";
export { TELNET, TELNET_OPTION, COM_PORT, SET_CONTROL, PURGE, SERVER_REPLY_OFFSET } from "./telnet-constants.js";
export { TelnetNegotiator, type NegotiationPolicy } from "./telnet-negotiation.js";

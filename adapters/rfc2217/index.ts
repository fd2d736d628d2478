/** RFC 2217 (`rfc2217://`) client port, servers (one device; one board of `espsync serve`), and the pure telnet codec underneath. */
export { Rfc2217Port, type Rfc2217PortOptions, type ControlLinesState, type PurgeTarget } from "./rfc2217-port.js";
export { serveRfc2217, attachRfc2217Client, type Rfc2217ServerOptions, type Rfc2217ClientOptions, type Rfc2217DeviceState } from "./rfc2217-server.js";
export { LocalReset, LOCAL_RESET_TIMING, type LocalResetAction, type LocalResetTiming } from "./local-reset.js";
export { serveBoard, type BoardServer, type BoardServerEvent, type BoardServerOptions, type ServedDevice } from "./board-server.js";
export * from "./telnet-codec.js";
export { TELNET, TELNET_OPTION, COM_PORT, SET_CONTROL, PURGE, SERVER_REPLY_OFFSET } from "./telnet-constants.js";
export { TelnetNegotiator, type NegotiationPolicy } from "./telnet-negotiation.js";

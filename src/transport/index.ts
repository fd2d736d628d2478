export type { ControlLines, Port, PortCapabilities, PortInfo } from "./port.js";
export type { SerialEndpoint } from "./endpoint.js";

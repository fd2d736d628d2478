/** Raw TCP (`socket://`) port and server. */
export { TcpPort, type TcpPortOptions } from "./tcp-port.js";
export { serveTcp } from "./tcp-server.js";
export { type RunningServer } from "./single-client-server.js";
export { parseNetworkUrl, parseListenAddress, formatHostPort, type HostPort } from "./host-port.js";

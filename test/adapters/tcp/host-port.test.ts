import { describe, expect, it } from "vitest";
import { formatHostPort, parseListenAddress, parseNetworkUrl } from "../../../adapters/tcp/host-port.js";

describe("network addresses", () => {
  it("parses socket:// and rfc2217:// URLs, IPv6 in brackets", () => {
    expect(parseNetworkUrl("socket://localhost:5555", "socket")).toEqual({ host: "localhost", port: 5555 });
    expect(parseNetworkUrl("rfc2217://[::1]:4000", "rfc2217")).toEqual({ host: "::1", port: 4000 });
  });

  it.each([
    ["127.0.0.1:5555", { host: "127.0.0.1", port: 5555 }],
    ["0.0.0.0:0", { host: "0.0.0.0", port: 0 }],
    ["[::1]:7", { host: "::1", port: 7 }],
    [":4000", { host: "127.0.0.1", port: 4000 }],
    ["0", { host: "127.0.0.1", port: 0 }],
    ["4000", { host: "127.0.0.1", port: 4000 }],
  ])("parses the listen address %s", (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });

  it.each(["localhost", "host:", "host:70000", "a:b:1"])("rejects the listen address %s with USAGE", (text) => {
    expect(() => parseListenAddress(text)).toThrow(expect.objectContaining({ code: "USAGE" }));
  });

  it("formats IPv6 hosts in brackets", () => {
    expect(formatHostPort({ host: "::1", port: 5 })).toBe("[::1]:5");
    expect(formatHostPort({ host: "10.0.0.2", port: 5 })).toBe("10.0.0.2:5");
  });
});

import { describe, expect, it } from "vitest";
import { RoundTrips } from "../../src/protocol/round-trips.js";

describe("RoundTrips", () => {
  it("is undefined before the first sample, then the median of the samples in seconds", () => {
    const r = new RoundTrips();
    expect(r.medianS()).toBeUndefined();
    r.add(44);
    expect(r.medianS()).toBe(0.044);
    r.add(2);
    expect(r.medianS()).toBe(0.023); // two samples: their mean
    r.add(43);
    expect(r.medianS()).toBe(0.043);
  });

  it("is not pulled down by the fast first exchanges of a TCP connection (QEMU: 2–3 ms, then 44 ms)", () => {
    const r = new RoundTrips();
    for (const ms of [2.5, 3, 42, 44, 43.5, 44, 45]) r.add(ms);
    expect(r.medianS()).toBe(0.0435);
  });

  it("follows the link: only the 15 most recent samples count", () => {
    const r = new RoundTrips();
    for (let i = 0; i < 15; i++) r.add(40);
    for (let i = 0; i < 8; i++) r.add(2);
    expect(r.medianS()).toBe(0.002);
  });
});

import { describe, expect, it } from "vitest";
import { LoginLimiter } from "./login-limiter.js";

const MINUTE = 60_000;

describe("LoginLimiter", () => {
  const setup = () => {
    let now = 1_000_000;
    const limiter = new LoginLimiter(() => now);
    return { limiter, advance: (ms: number) => (now += ms) };
  };

  it("lets 5 failures through, then waits until the oldest leaves the 15-minute window", () => {
    const { limiter, advance } = setup();
    for (let i = 0; i < 5; i++) {
      expect(limiter.waitMs("ada@example.com", "10.0.0.1")).toBe(0);
      limiter.recordFailure("ada@example.com", "10.0.0.1");
      advance(MINUTE);
    }
    expect(limiter.waitMs("ada@example.com", "10.0.0.1")).toBe(10 * MINUTE);
    advance(10 * MINUTE - 1);
    expect(limiter.waitMs("ada@example.com", "10.0.0.1")).toBe(1);
    advance(1);
    expect(limiter.waitMs("ada@example.com", "10.0.0.1")).toBe(0);
  });

  it("counts an email in any case, from any address", () => {
    const { limiter } = setup();
    for (let i = 0; i < 5; i++) limiter.recordFailure(i % 2 ? "ADA@example.com" : "ada@example.com", `10.0.0.${i}`);
    expect(limiter.waitMs("Ada@Example.com", "192.0.2.1")).toBeGreaterThan(0);
    expect(limiter.waitMs("grace@example.com", "192.0.2.1")).toBe(0);
  });

  it("counts an address across emails", () => {
    const { limiter } = setup();
    for (let i = 0; i < 5; i++) limiter.recordFailure(`user${i}@example.com`, "10.0.0.9");
    expect(limiter.waitMs("someone-new@example.com", "10.0.0.9")).toBeGreaterThan(0);
    expect(limiter.waitMs("someone-new@example.com", "10.0.0.10")).toBe(0);
  });

  it("forgets an email's failures on success, but not the address's", () => {
    const { limiter } = setup();
    for (let i = 0; i < 4; i++) limiter.recordFailure("ada@example.com", "10.0.0.1");
    limiter.recordSuccess("ada@example.com");
    limiter.recordFailure("ada@example.com", "10.0.0.2");
    expect(limiter.waitMs("ada@example.com", "10.0.0.2")).toBe(0);
    limiter.recordFailure("grace@example.com", "10.0.0.1");
    expect(limiter.waitMs("grace@example.com", "10.0.0.1")).toBeGreaterThan(0);
  });
});

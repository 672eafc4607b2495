import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashPassword, hashSecret, newApiToken, newOpaqueSecret, verifyPassword } from "./credentials.js";

describe("passwords", () => {
  it("verify against their hash and not against another password", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain("correct horse");
    expect(await verifyPassword("correct horse battery staple", stored)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("are salted: the same password hashes differently each time", async () => {
    const [a, b] = await Promise.all([hashPassword("same password here"), hashPassword("same password here")]);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password here", b)).toBe(true);
  });

  it("compare after Unicode normalization, so a composed and a decomposed é are one password", async () => {
    const stored = await hashPassword("caf\u00e9 au lait please");
    expect(await verifyPassword("cafe\u0301 au lait please", stored)).toBe(true);
  });

  it("refuse a stored value in an unknown format", async () => {
    expect(await verifyPassword("anything at all", "bcrypt$2b$10$abc")).toBe(false);
    expect(await verifyPassword("anything at all", "")).toBe(false);
  });
});

describe("secrets", () => {
  it("API tokens start with gp_, are stored as their SHA-256 and differ each time", () => {
    const token = newApiToken();
    expect(token.secret).toMatch(/^gp_[0-9A-Za-z]{40}$/);
    expect(token.hash).toBe(createHash("sha256").update(token.secret).digest("hex"));
    expect(token.prefix).toBe(token.secret.slice(0, 10));
    expect(newApiToken().secret).not.toBe(token.secret);
  });

  it("opaque secrets are 32 random bytes in base64url", () => {
    const { secret, hash } = newOpaqueSecret();
    expect(Buffer.from(secret, "base64url")).toHaveLength(32);
    expect(hash).toBe(hashSecret(secret));
    expect(hashSecret(secret)).toBe(hashSecret(secret));
  });
});

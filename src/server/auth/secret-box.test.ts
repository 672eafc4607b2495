import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSecretKey, SecretBox } from "./secret-box.js";

describe("SecretBox", () => {
  const box = new SecretBox(randomBytes(32));

  it("opens what it sealed, for the same binding", () => {
    const sealed = box.seal("cf-api-token-123", "connection:c1");
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain("cf-api-token-123");
    expect(box.open(sealed, "connection:c1")).toBe("cf-api-token-123");
    expect(box.seal("cf-api-token-123", "connection:c1")).not.toBe(sealed);
    expect(box.open(box.seal("", "x"), "x")).toBe("");
  });

  it("refuses a value that was altered", () => {
    const sealed = box.seal("cf-api-token-123", "connection:c1");
    const [version, iv, tag, body] = sealed.split(".") as [string, string, string, string];
    const flipped = Buffer.from(body, "base64url");
    flipped[0]! ^= 1;
    expect(box.open([version, iv, tag, flipped.toString("base64url")].join("."), "connection:c1")).toBeInstanceOf(Error);
    const otherTag = Buffer.from(tag, "base64url");
    otherTag[0]! ^= 1;
    expect(box.open([version, iv, otherTag.toString("base64url"), body].join("."), "connection:c1")).toBeInstanceOf(Error);
    expect(box.open("not sealed at all", "connection:c1")).toBeInstanceOf(Error);
    expect(box.open(sealed.replace(/^v1/, "v9"), "connection:c1")).toBeInstanceOf(Error);
  });

  it("refuses a value copied onto another row, or opened under another key", () => {
    const sealed = box.seal("cf-api-token-123", "connection:c1");
    const moved = box.open(sealed, "connection:c2");
    expect(moved).toBeInstanceOf(Error);
    expect((moved as Error).message).toMatch(/GLIDEPATH_SECRET_KEY/);
    expect(new SecretBox(randomBytes(32)).open(sealed, "connection:c1")).toBeInstanceOf(Error);
  });

  it("takes only a 32-byte key", () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe("loadSecretKey", () => {
  const dir = mkdtempSync(join(tmpdir(), "glidepath-key-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads GLIDEPATH_SECRET_KEY in hex or base64 and names a bad one", () => {
    const key = randomBytes(32);
    expect(loadSecretKey(key.toString("hex"), undefined)).toEqual(key);
    expect(loadSecretKey(key.toString("base64"), undefined)).toEqual(key);
    const bad = loadSecretKey("too short", undefined);
    expect(bad).toBeInstanceOf(Error);
    expect((bad as Error).message).toMatch(/GLIDEPATH_SECRET_KEY must hold a 32-byte key.*openssl rand -base64 32/);
  });

  it("creates the key file with mode 0600 once, then keeps using it", () => {
    const file = join(dir, "nested", "secret.key");
    const first = loadSecretKey(undefined, file);
    expect(first).toBeInstanceOf(Buffer);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(undefined, file)).toEqual(first);
    expect(readFileSync(file, "utf8").trim()).toBe((first as Buffer).toString("base64"));
  });

  it("tightens a key file others can read", () => {
    const file = join(dir, "loose.key");
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o644 });
    expect(loadSecretKey(undefined, file)).toBeInstanceOf(Buffer);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

import { describe, expect, it } from "vitest";
import { SIGNATURE_HEADER, signatureHeaders, TIMESTAMP_HEADER, verifySignature } from "./signature.js";

const SECRET = "whsec_3f9a";
const BODY = JSON.stringify({ kind: "rolled_back", release: { name: "checkout" } });
const NOW = 1_767_225_600_000;

/** The headers as a Node receiver sees them: lower-cased names. */
function received(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

describe("webhook signatures", () => {
  it("signs `${timestamp}.${body}` with a unix-seconds timestamp", () => {
    const headers = signatureHeaders(SECRET, BODY, NOW + 999);
    expect(headers[TIMESTAMP_HEADER]).toBe(String(NOW / 1000));
    expect(headers[SIGNATURE_HEADER]).toMatch(/^v1=[0-9a-f]{64}$/);
  });

  it("accepts a good signature, from a string or the raw bytes", () => {
    const headers = received(signatureHeaders(SECRET, BODY, NOW));
    expect(verifySignature(SECRET, headers, BODY, NOW + 10_000)).toEqual({ ok: true });
    expect(verifySignature(SECRET, headers, Buffer.from(BODY), NOW)).toEqual({ ok: true });
  });

  it("rejects a tampered body", () => {
    const headers = received(signatureHeaders(SECRET, BODY, NOW));
    expect(verifySignature(SECRET, headers, BODY.replace("checkout", "payments"), NOW)).toEqual({
      ok: false,
      error: "signature does not match the body; is the secret right?",
    });
  });

  it("rejects a replay with an old timestamp, and a timestamp from the future", () => {
    const headers = received(signatureHeaders(SECRET, BODY, NOW));
    expect(verifySignature(SECRET, headers, BODY, NOW + 301_000)).toEqual({
      ok: false,
      error: "timestamp is 301s away from now, more than the 300s allowed",
    });
    expect(verifySignature(SECRET, headers, BODY, NOW - 301_000).ok).toBe(false);
    expect(verifySignature(SECRET, headers, BODY, NOW + 301_000, 600)).toEqual({ ok: true });
  });

  it("rejects a signature made with another secret", () => {
    const headers = received(signatureHeaders("another secret", BODY, NOW));
    expect(verifySignature(SECRET, headers, BODY, NOW).ok).toBe(false);
  });

  it("rejects a re-signed timestamp: the timestamp is part of what is signed", () => {
    const headers = received(signatureHeaders(SECRET, BODY, NOW - 3_600_000));
    const replayed = { ...headers, [TIMESTAMP_HEADER.toLowerCase()]: String(NOW / 1000) };
    expect(verifySignature(SECRET, replayed, BODY, NOW).ok).toBe(false);
  });

  it("says which header is missing or malformed", () => {
    expect(verifySignature(SECRET, {}, BODY, NOW)).toEqual({ ok: false, error: "missing X-Glidepath-Timestamp header" });
    expect(verifySignature(SECRET, { "x-glidepath-timestamp": "1" }, BODY, NOW)).toEqual({ ok: false, error: "missing X-Glidepath-Signature header" });
    const headers = { "x-glidepath-timestamp": "yesterday", "x-glidepath-signature": "v1=00" };
    expect(verifySignature(SECRET, headers, BODY, NOW)).toEqual({ ok: false, error: 'X-Glidepath-Timestamp must be unix seconds, got "yesterday"' });
  });
});

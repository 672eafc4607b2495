import { createHmac, timingSafeEqual } from "node:crypto";

export const TIMESTAMP_HEADER = "X-Glidepath-Timestamp";
export const SIGNATURE_HEADER = "X-Glidepath-Signature";
const SCHEME = "v1";

/**
 * The headers that let a receiver check a body came from Glidepath: an HMAC-SHA256 over
 * `${timestamp}.${body}`, so a captured request cannot be replayed later with a new timestamp.
 */
export function signatureHeaders(secret: string, body: string, now: number): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `${SCHEME}=${sign(secret, timestamp, body)}` };
}

export type Verification = { ok: true } | { ok: false; error: string };

/**
 * Checks a received body's signature. `headers` as Node gives them (any case); `body` exactly as
 * received, before any JSON parsing; `now` in epoch milliseconds.
 */
export function verifySignature(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string | Buffer,
  now: number,
  toleranceSeconds = 300,
): Verification {
  const timestamp = header(headers, TIMESTAMP_HEADER);
  const signature = header(headers, SIGNATURE_HEADER);
  if (!timestamp || !signature) return { ok: false, error: `missing ${timestamp ? SIGNATURE_HEADER : TIMESTAMP_HEADER} header` };
  if (!/^\d+$/.test(timestamp)) return { ok: false, error: `${TIMESTAMP_HEADER} must be unix seconds, got "${timestamp}"` };
  const ageSeconds = Math.abs(now / 1000 - Number(timestamp));
  if (ageSeconds > toleranceSeconds) {
    return { ok: false, error: `timestamp is ${Math.round(ageSeconds)}s away from now, more than the ${toleranceSeconds}s allowed` };
  }
  const expected = Buffer.from(`${SCHEME}=${sign(secret, timestamp, body)}`);
  const received = Buffer.from(signature);
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, error: "signature does not match the body; is the secret right?" };
  }
  return { ok: true };
}

function sign(secret: string, timestamp: string, body: string | Buffer): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : [headers[key]].flat()[0];
}

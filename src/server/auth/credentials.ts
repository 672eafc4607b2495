import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

const TOKEN_PREFIX = "gp_";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 40 base62 characters: about 238 bits, far past guessing. */
const TOKEN_LENGTH = 40;
/** How much of a token is kept to tell tokens apart: "gp_" and 7 characters. */
const SHOWN_PREFIX_LENGTH = 10;

export interface NewSecret {
  /** Shown once to whoever created it, never stored. */
  secret: string;
  hash: string;
  prefix: string;
}

/** A new API token: `gp_` and random base62, so secret scanners can spot a leaked one. */
export function newApiToken(): NewSecret {
  const secret = TOKEN_PREFIX + randomBase62(TOKEN_LENGTH);
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, SHOWN_PREFIX_LENGTH) };
}

/** A random secret for cookies and one-time links. */
export function newOpaqueSecret(): NewSecret {
  const secret = randomBytes(32).toString("base64url");
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, 6) };
}

/** Tokens are long and random, so a fast hash is enough: nothing to brute-force. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

function randomBase62(length: number): string {
  let text = "";
  while (text.length < length) {
    for (const byte of randomBytes(length)) {
      // 248 = 4 * 62: dropping the bytes above keeps every character equally likely.
      if (byte < 248 && text.length < length) text += BASE62[byte % 62];
    }
  }
  return text;
}

const SCRYPT: ScryptOptions & { N: number; r: number; p: number } = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

/** A password hash: scrypt with a random salt, its parameters kept beside it so they can grow later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT);
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64");
  const actual = await derive(password, Buffer.from(salt, "base64"), { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

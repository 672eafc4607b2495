import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const VERSION = "v1";

/**
 * Seals credentials at rest with AES-256-GCM. Each sealed value is bound to what it belongs to
 * (e.g. "connection:<id>") as associated data, so a value copied onto another row will not open.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`the secret key must be ${KEY_BYTES} bytes`);
  }

  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv).setAAD(Buffer.from(boundTo));
    const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), sealed].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
  }

  /** The plaintext, or an Error when the value was sealed under another key or has been altered. */
  open(sealed: string, boundTo: string): string | Error {
    const [version, iv, tag, body] = sealed.split(".");
    if (version !== VERSION || !iv || !tag || body === undefined) return new Error("a stored secret is not in a known format");
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"))
        .setAAD(Buffer.from(boundTo))
        .setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      return new Error(
        "a stored secret cannot be opened: it was sealed under another key. Start the server with the GLIDEPATH_SECRET_KEY (or key file) it was saved with, or enter the credentials again",
      );
    }
  }
}

/**
 * The key from GLIDEPATH_SECRET_KEY (32 bytes, base64 or hex), else from the key file, which is
 * created with mode 0600 on first use. Without either, a key that lives as long as the process.
 */
export function loadSecretKey(fromEnv: string | undefined, keyFile: string | undefined): Buffer | Error {
  if (fromEnv !== undefined) return parseKey(fromEnv, "GLIDEPATH_SECRET_KEY");
  if (keyFile === undefined) return randomBytes(KEY_BYTES);
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, randomBytes(KEY_BYTES).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  }
  const mode = statSync(keyFile).mode & 0o777;
  if (mode & 0o077) chmodSync(keyFile, 0o600);
  return parseKey(readFileSync(keyFile, "utf8"), keyFile);
}

function parseKey(text: string, source: string): Buffer | Error {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (key.length !== KEY_BYTES) {
    return new Error(`${source} must hold a ${KEY_BYTES}-byte key in base64 or hex; make one with: openssl rand -base64 32`);
  }
  return key;
}

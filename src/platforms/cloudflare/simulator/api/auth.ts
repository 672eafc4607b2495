import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { authenticationError, malformedAuthorization, missingCredentials } from "../api-errors.js";

/**
 * Requires `Authorization: Bearer <token>` equal to `token`: none (or an empty one) is 400/9106, a header
 * that is not a bearer token is 400/6003, a wrong token is 403/10000.
 */
export function requireApiToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header("authorization")?.trim();
    if (!header) throw missingCredentials();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw malformedAuthorization();
    if (!timingSafeEqual(digest(match[1]!), expected)) throw authenticationError();
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

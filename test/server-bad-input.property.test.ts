import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../src/server/test-support.js";

interface Operation {
  method: string;
  path: string;
}

/** Every operation the OpenAPI document lists: the test follows the API as it grows. */
async function operations(server: TestServer): Promise<Operation[]> {
  const document = (await (await server.api("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((method) => ["get", "post", "put", "patch", "delete"].includes(method))
      .map((method) => ({ method: method.toUpperCase(), path })),
  );
}

const segment = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("..", ".", "%00", "%2F", "%", "default", "' or 1=1 --", "😀", "a".repeat(300), "-1", "1e309", "null"),
);
const badJson = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.constantFrom("name", "role", "target", "candidate", "stages", "url", "type", "email", "password", "events", "settings", "platform"), fc.jsonValue()),
  fc.anything().map((value) => {
    try {
      return JSON.parse(JSON.stringify(value) ?? "null") as unknown;
    } catch {
      return null;
    }
  }),
);
const rawBody = fc.oneof(
  badJson.map((value) => ({ body: JSON.stringify(value), type: "application/json" })),
  fc.string().map((text) => ({ body: text, type: "application/json" })),
  fc.string().map((text) => ({ body: text, type: "text/plain" })),
  fc.constant({ body: "{", type: "application/json" }),
  fc.constant({ body: "", type: "application/x-www-form-urlencoded" }),
);
const query = fc.dictionary(
  fc.constantFrom("limit", "before", "since", "until", "state", "target", "after", "action", "actor", "objectId", "x"),
  fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("-1", "0", "99999999999999999999", "NaN", "2026-13-45", "running,bogus")),
);

describe("bad input never makes the server fail", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("answers every generated bad body, path and query string below 500", async () => {
    const all = await operations(server);
    expect(all.length).toBeGreaterThan(30);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...all),
        fc.array(segment, { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        rawBody,
        query,
        async (operation, segments, realTeam, { body, type }, params) => {
          let index = 0;
          const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
            name === "team" && realTeam ? server.team : encodeURIComponent(segments[index++ % segments.length]!),
          );
          const search = new URLSearchParams(params).toString();
          const response = await server.api(`${path}${search ? `?${search}` : ""}`, {
            method: operation.method,
            headers: { "content-type": type },
            ...(operation.method !== "GET" && { body }),
          });
          if (response.headers.get("content-type")?.includes("text/event-stream")) {
            await response.body?.cancel();
            return;
          }
          const text = await response.text();
          expect(response.status, `${operation.method} ${path} answered ${text}`).toBeLessThan(500);
          if (response.status >= 400) expect(JSON.parse(text)).toHaveProperty("error.message");
        },
      ),
      { numRuns: 1500 },
    );
  });
});

import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { describeDatabaseError, isDatabaseUnavailable } from "./database-errors.js";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const failedQuery = (cause: Error) => new DrizzleQueryError('select * from api_tokens where hash = $1', ["9f86d081884c7d65"], cause);

describe("isDatabaseUnavailable", () => {
  it.each([
    ["a refused connection", withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")],
    ["a server shutting down", withCode("terminating connection due to administrator command", "57P01")],
    ["a server starting up", withCode("the database system is starting up", "57P03")],
    ["a connection exception", withCode("connection failure", "08006")],
    ["a connection cut mid-query", new Error("Connection terminated unexpectedly")],
    ["a pool that cannot connect", new Error("timeout exceeded when trying to connect")],
  ])("is true for %s, however deep the driver wraps it", (_, cause) => {
    expect(isDatabaseUnavailable(cause)).toBe(true);
    expect(isDatabaseUnavailable(failedQuery(cause))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([cause]))).toBe(true);
  });

  it("is false for a query the database refused", () => {
    expect(isDatabaseUnavailable(failedQuery(withCode("duplicate key value violates unique constraint", "23505")))).toBe(false);
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
  });
});

describe("describeDatabaseError", () => {
  it("gives the driver's message of a failed query, never its parameters", () => {
    const text = describeDatabaseError(failedQuery(withCode("terminating connection due to administrator command", "57P01")));
    expect(text).toBe("terminating connection due to administrator command");
    expect(describeDatabaseError(new DrizzleQueryError("select $1", ["secret"]))).toBe("a database query failed");
  });

  it("gives any other error's own message", () => {
    expect(describeDatabaseError(new Error("boom"))).toBe("boom");
  });
});

import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../../../web/src/api/schema.js";
import { UsageError } from "../exit-codes.js";

export type ApiClient = Client<paths>;
export type Schemas = components["schemas"];

/** A typed client of a Glidepath server's API that sends the token as a Bearer credential. */
export function createApiClient(server: string, token: string): ApiClient {
  return createClient<paths>({ baseUrl: server, headers: { authorization: `Bearer ${token}`, "user-agent": "glidepath-cli" } });
}

/** The server's address without trailing slashes; a UsageError unless it is an http(s) URL. */
export function normalizeServerUrl(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`the server address "${server}" is not a URL; give one such as http://127.0.0.1:8080`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`the server address "${server}" must start with http:// or https://`);
  return url.href.replace(/\/+$/, "");
}

interface ApiOutcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The data of a successful call. Otherwise an error carrying the server's own message: a
 * UsageError (exit 2) for what the user can fix (unreachable server, token, role, names, input),
 * a plain Error (exit 1) for the server's own failures.
 */
export async function expectData<T>(server: string, request: Promise<ApiOutcome<T>>): Promise<T> {
  let outcome: ApiOutcome<T>;
  try {
    outcome = await request;
  } catch (error) {
    throw unreachable(server, error);
  }
  if (outcome.response.ok) return outcome.data as T;
  throw problemError(server, outcome.response, outcome.error);
}

/** Turns a failed answer into an error whose message says what went wrong and what to do. */
export function problemError(server: string, response: Response, body: unknown): Error {
  const problem = problemOf(body);
  if (!problem) {
    const answer = `the server at ${server} answered ${response.status} ${response.statusText}`;
    return response.status >= 500 ? new Error(answer) : new UsageError(`${answer}; is it a Glidepath server?`);
  }
  const fields = problem.fields?.map((field) => `\n  ${field.field}: ${field.message}`).join("") ?? "";
  if (response.status === 401) {
    return new UsageError(`the server at ${server} refused the API token: ${problem.message}; run glidepath login --server URL with a valid token`);
  }
  if (response.status >= 500) return new Error(`the server at ${server} failed: ${problem.message}`);
  return new UsageError(`${problem.message}${fields}`);
}

/** The server did not answer at all; worth trying again, unlike a refusal. */
export class ServerUnreachable extends UsageError {
  override name = "ServerUnreachable";
}

function unreachable(server: string, error: unknown): ServerUnreachable {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new ServerUnreachable(`could not reach the Glidepath server at ${server} (${why}); check the address and that the server is running`);
}

interface Problem {
  code: string;
  message: string;
  fields?: { field: string; message: string }[];
}

function problemOf(body: unknown): Problem | undefined {
  const problem = (body as { error?: Partial<Problem> } | undefined)?.error;
  if (typeof problem?.message !== "string") return undefined;
  return { code: problem.code ?? "error", message: problem.message, ...(problem.fields && { fields: problem.fields }) };
}

import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Role = Schemas["Session"]["teams"][number]["role"];

/** A failed API call, carrying the server's problem: a code, a sentence, and the fields at fault. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;

/** The session's CSRF token, sent on every write; set when the session is read or made. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const sessionHeaders: Middleware = {
  onRequest({ request }) {
    if (csrfToken && WRITE_METHODS.has(request.method)) request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(sessionHeaders);

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call, or an ApiProblem to throw for React Query to hand to the page. */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch {
    throw new ApiProblem(0, "unreachable", "The Glidepath server did not answer. Check that it is running, then try again.");
  }
  const { data, error, response } = outcome;
  if (response.ok) return data as T;
  const problem = (error as { error?: { code?: string; message?: string; fields?: { field: string; message: string }[] } } | undefined)?.error;
  throw new ApiProblem(response.status, problem?.code ?? "http_error", problem?.message ?? `the server answered ${response.status} ${response.statusText}`, problem?.fields);
}

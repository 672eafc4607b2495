/** A refusal or failure of the Glidepath server, told so that the workflow author can act on it. */
export class ServerError extends Error {
  override name = "ServerError";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The release as the server summarizes it (see docs/server.md). */
export interface ReleaseSummary {
  id: string;
  name: string;
  state: string;
  reason: string | null;
  url: string;
  stable: string;
  candidate: string;
  plan: string;
}

export interface ReleaseDetail extends ReleaseSummary {
  stages: { index: number; percent: number; soakSeconds: number; status: "done" | "current" | "next" }[];
  checks: ApiCheck[];
}

/** A check as the API shows it, with the fields the action reads. */
export interface ApiCheck {
  stageIndex: number;
  verdict: string;
  note: string | null;
  samples: { candidate: { requests: number } | null };
  results: { rule: string; verdict: string; candidate: number | null }[];
}

/** A release event as the API sends it: `type` and its fields (see src/core/events.ts). */
export interface ApiEvent {
  id: number;
  type: string;
  [field: string]: unknown;
}

/** The server's API for one team, authenticated with an API token. */
export class TeamApi {
  constructor(
    readonly serverUrl: string,
    private readonly token: string,
    readonly team: string,
  ) {}

  /** The URL of a path under the team, e.g. `releases/abc/events`. */
  url(path: string): string {
    return `${this.serverUrl}/api/v1/teams/${encodeURIComponent(this.team)}/${path}`;
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${this.token}`);
    let response: Response;
    try {
      response = await fetch(this.url(path), { ...init, headers });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new ServerError(`the Glidepath server at ${this.serverUrl} could not be reached (${causeOf(error)}); check server-url`);
    }
    if (response.ok) return response;
    throw await this.refusal(response);
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    return (await (await this.fetch(path, init)).json()) as T;
  }

  private async refusal(response: Response): Promise<ServerError> {
    const message = await problemMessage(response);
    switch (response.status) {
      case 401:
        return new ServerError(`the Glidepath server at ${this.serverUrl} refused the API token (401: ${message}); check the api-token secret`, 401);
      case 403:
        return new ServerError(`the API token may not do this in team "${this.team}" (403: ${message}); it needs the deployer role`, 403);
      case 404:
        return new ServerError(`not found (404: ${message}); check team "${this.team}" and the server-url`, 404);
      default:
        return new ServerError(`the Glidepath server refused the request (${response.status}: ${message})`, response.status);
    }
  }
}

/** The message of the server's `{"error": {"message"}}` body, or what the body says otherwise. */
async function problemMessage(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const problem = JSON.parse(text) as { error?: { message?: string } };
    if (problem.error?.message) return problem.error.message;
  } catch {
    // Not the server's JSON: a proxy or load balancer answered.
  }
  return text.trim().slice(0, 300) || response.statusText;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

import type { Clock } from "../../support/clock.js";
import { CSRF_HEADER, SESSION_COOKIE } from "../auth/authenticate.js";
import type { TestServer } from "../test-support.js";

export const PASSWORD = "correct horse battery staple";

/** Time that moves only when a test says so. */
export class ManualClock implements Clock {
  private waiters: { time: number; resolve: () => void }[] = [];

  constructor(private time = Date.parse("2026-11-29T12:00:00.000Z")) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
    const due = this.waiters.filter((waiter) => waiter.time <= this.time);
    this.waiters = this.waiters.filter((waiter) => waiter.time > this.time);
    for (const waiter of due) waiter.resolve();
  }

  sleepUntil(time: number, signal?: AbortSignal): Promise<void> {
    if (time <= this.time || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ time, resolve });
      signal?.addEventListener("abort", () => resolve(), { once: true });
    });
  }
}

/** A browser's part of the session over real HTTP: it keeps the cookie and sends the CSRF token on writes. */
export class Browser {
  cookie: string | undefined;
  csrfToken: string | undefined;
  /** The Set-Cookie lines of the last answer that had any. */
  setCookie: string[] = [];

  constructor(private readonly url: string) {}

  async request(
    path: string,
    { method = "GET", json, csrf = true, headers = {} }: { method?: string; json?: unknown; csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const response = await fetch(this.url + path, {
      method,
      headers: {
        ...(this.cookie !== undefined && { cookie: `${SESSION_COOKIE}=${this.cookie}` }),
        ...(json !== undefined && { "content-type": "application/json" }),
        ...(csrf && this.csrfToken !== undefined && method !== "GET" && { [CSRF_HEADER]: this.csrfToken }),
        ...headers,
      },
      ...(json !== undefined && { body: JSON.stringify(json) }),
    });
    const lines = response.headers.getSetCookie();
    if (lines.length > 0) this.setCookie = lines;
    for (const line of lines) {
      const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
      const [name, value = ""] = pair.split("=");
      if (name !== SESSION_COOKIE) continue;
      const expired = value === "" || attributes.some((attribute) => /^max-age=0$/i.test(attribute));
      this.cookie = expired ? undefined : value;
    }
    return response;
  }

  async signIn(email: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<Response> {
    const response = await this.request("/api/v1/session", { method: "POST", json: { email, password }, headers });
    if (response.status === 201) this.csrfToken = ((await response.clone().json()) as { csrfToken: string }).csrfToken;
    return response;
  }
}

/** Makes a person with PASSWORD in the team (the test server's default team unless told), through the API as its admin token. */
export async function addPerson(server: TestServer, email: string, role: "viewer" | "deployer" | "admin", team = server.team): Promise<string> {
  const response = await server.api(`/api/v1/teams/${team}/members`, { json: { email, role, password: PASSWORD } });
  if (response.status !== 201) throw new Error(`adding ${email} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** A signed-in browser of a new person in the default team. */
export async function signedIn(server: TestServer, email: string, role: "viewer" | "deployer" | "admin" = "deployer"): Promise<Browser> {
  await addPerson(server, email, role);
  const browser = new Browser(server.url);
  const response = await browser.signIn(email);
  if (response.status !== 201) throw new Error(`signing in ${email} answered ${response.status}: ${await response.text()}`);
  return browser;
}

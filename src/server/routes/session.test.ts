import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../auth/credentials.js";
import { startTestServer, type TestServer } from "../test-support.js";
import { addPerson, Browser, ManualClock, PASSWORD, signedIn } from "./session.test-support.js";

interface SessionAnswer {
  user: { id: string; email: string; name: string; createdAt: string };
  csrfToken: string;
  teams: { slug: string; name: string; role: string }[];
}
interface ProblemAnswer {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}

describe("sessions", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("signs in over HTTP with an HttpOnly, SameSite=Strict cookie whose secret is stored only as a hash", async () => {
    await addPerson(server, "Ada@Example.com", "deployer");
    const browser = new Browser(server.url);
    const response = await browser.signIn("ada@example.com");
    expect(response.status).toBe(201);
    const body = (await response.json()) as SessionAnswer;
    expect(body.user).toMatchObject({ email: "ada@example.com", name: "Ada" });
    expect(body.teams).toEqual([{ slug: "default", name: "Default team", role: "deployer" }]);
    expect(body.csrfToken.length).toBeGreaterThanOrEqual(32);

    const [cookie] = browser.setCookie;
    expect(cookie).toMatch(/^glidepath_session=[\w-]{40,};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/");
    expect(cookie).toContain(`Max-Age=${7 * 86_400}`);
    expect(cookie).not.toContain("Secure");

    const now = new Date();
    expect(await server.services.identities.session(hashSecret(browser.cookie!), now)).toBeDefined();
    expect(await server.services.identities.session(browser.cookie!, now)).toBeUndefined();

    const again = await browser.request("/api/v1/session");
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(body);
  });

  it("takes sign-ins only as JSON, so another site's plain form cannot sign a browser in", async () => {
    await addPerson(server, "form@example.com", "viewer");
    const form = await fetch(`${server.url}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ email: "form@example.com", password: PASSWORD }),
    });
    expect(form.status).toBe(400);
    expect(form.headers.getSetCookie()).toEqual([]);
  });

  it("marks the cookie Secure when the request came over https through a proxy", async () => {
    await addPerson(server, "tls@example.com", "viewer");
    const browser = new Browser(server.url);
    expect((await browser.signIn("tls@example.com", PASSWORD, { "x-forwarded-proto": "https" })).status).toBe(201);
    expect(browser.setCookie[0]).toContain("Secure");
  });

  it("answers a wrong password and an unknown email alike", async () => {
    await addPerson(server, "grace@example.com", "viewer");
    const wrongPassword = await new Browser(server.url).signIn("grace@example.com", "not the password at all");
    const unknownEmail = await new Browser(server.url).signIn("nobody@example.com", PASSWORD);
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    const [a, b] = (await Promise.all([wrongPassword.json(), unknownEmail.json()])) as ProblemAnswer[];
    expect(a).toEqual(b);
    expect(a!.error.message).toBe("the email or password is wrong");
  });

  it("refuses a signed-in write without the CSRF header, and takes it with the header", async () => {
    const browser = await signedIn(server, "csrf@example.com");
    const without = await browser.request("/api/v1/teams", { method: "POST", json: { slug: "csrf-team", name: "CSRF" }, csrf: false });
    expect(without.status).toBe(403);
    expect(((await without.json()) as ProblemAnswer).error.code).toBe("csrf");
    const forged = await browser.request("/api/v1/teams", {
      method: "POST",
      json: { slug: "csrf-team", name: "CSRF" },
      csrf: false,
      headers: { "X-CSRF-Token": "guessed" },
    });
    expect(forged.status).toBe(403);
    expect((await server.services.identities.teamBySlug("csrf-team"))).toBeUndefined();

    const withHeader = await browser.request("/api/v1/teams", { method: "POST", json: { slug: "csrf-team", name: "CSRF" } });
    expect(withHeader.status).toBe(201);
  });

  it("signs out: the session ends and the cookie is cleared", async () => {
    const browser = await signedIn(server, "leaving@example.com");
    const cookie = browser.cookie;
    expect((await browser.request("/api/v1/session", { method: "DELETE", csrf: false })).status).toBe(403);
    const out = await browser.request("/api/v1/session", { method: "DELETE" });
    expect(out.status).toBe(204);
    expect(browser.setCookie[0]).toMatch(/^glidepath_session=;.*Max-Age=0/);
    expect(browser.cookie).toBeUndefined();

    browser.cookie = cookie;
    const after = await browser.request("/api/v1/session");
    expect(after.status).toBe(401);
    expect(((await after.json()) as ProblemAnswer).error.message).toMatch(/sign in again/);
  });

  it("answers 401 without credentials and 400 for an API token, which has no session", async () => {
    expect((await server.api("/api/v1/session", { token: null })).status).toBe(401);
    const token = await server.api("/api/v1/session");
    expect(token.status).toBe(400);
    expect(((await token.json()) as ProblemAnswer).error).toMatchObject({ code: "not_a_session", message: expect.stringMatching(/GET \/api\/v1\/teams/) });
  });

  it("changes the password with the current one and signs out the person's other sessions", async () => {
    const browser = await signedIn(server, "changer@example.com");
    const elsewhere = new Browser(server.url);
    expect((await elsewhere.signIn("changer@example.com")).status).toBe(201);

    const wrong = await browser.request("/api/v1/session/password", { method: "POST", json: { currentPassword: "nope", newPassword: "a brand new passphrase" } });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as ProblemAnswer).error.fields).toEqual([{ field: "body.currentPassword", message: "this is not your current password" }]);
    const short = await browser.request("/api/v1/session/password", { method: "POST", json: { currentPassword: PASSWORD, newPassword: "short" } });
    expect(short.status).toBe(400);
    expect(((await short.json()) as ProblemAnswer).error.fields?.map((f) => f.field)).toEqual(["body.newPassword"]);

    const changed = await browser.request("/api/v1/session/password", {
      method: "POST",
      json: { currentPassword: PASSWORD, newPassword: "a brand new passphrase" },
    });
    expect(changed.status).toBe(204);
    expect((await browser.request("/api/v1/session")).status).toBe(200);
    expect((await elsewhere.request("/api/v1/session")).status).toBe(401);
    expect((await new Browser(server.url).signIn("changer@example.com")).status).toBe(401);
    expect((await new Browser(server.url).signIn("changer@example.com", "a brand new passphrase")).status).toBe(201);

    const tokenTry = await server.api("/api/v1/session/password", { json: { currentPassword: PASSWORD, newPassword: "a brand new passphrase" } });
    expect(tokenTry.status).toBe(400);
  });
});

describe("sign-in rate limit", () => {
  const clock = new ManualClock();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ clock });
    await addPerson(server, "target@example.com", "viewer");
    await addPerson(server, "bystander@example.com", "viewer");
  });
  afterAll(() => server.close());

  it("answers 429 with Retry-After after 5 failures, even to the right password, until the window passes", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await new Browser(server.url).signIn("target@example.com", `wrong guess ${i}`)).status).toBe(401);
      clock.advance(1_000);
    }
    const limited = await new Browser(server.url).signIn("target@example.com");
    expect(limited.status).toBe(429);
    // The first failure leaves the 15-minute window 15 min - 5 s from now.
    expect(limited.headers.get("retry-after")).toBe(String(15 * 60 - 5));
    expect(((await limited.json()) as ProblemAnswer).error.message).toMatch(/try again in 895 seconds/);
    // Keyed by address too: the same address cannot move on to guess another email.
    expect((await new Browser(server.url).signIn("bystander@example.com")).status).toBe(429);

    clock.advance(15 * 60_000 - 5_000);
    expect((await new Browser(server.url).signIn("target@example.com")).status).toBe(201);
  });
});

describe("first-start setup", () => {
  const clock = new ManualClock();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(() => server.close());

  const person = { email: "first@example.com", password: PASSWORD, name: "First Admin" };

  it("makes the first admin with the link once, signs them in and audits it", async () => {
    const now = clock.now();
    await server.services.identities.createSetupLink(hashSecret("expired-link-secret"), new Date(now - 1));
    await server.services.identities.createSetupLink(hashSecret("the-setup-link-secret"), new Date(now + 3_600_000));

    for (const setupToken of ["expired-link-secret", "never-made"]) {
      const refused = await server.api("/api/v1/setup", { token: null, json: { setupToken, ...person } });
      expect(refused.status).toBe(400);
      const problem = (await refused.json()) as ProblemAnswer;
      expect(problem.error.message).toMatch(/unknown, used already or expired.*restart the server/);
      expect(problem.error.fields).toEqual([{ field: "body.setupToken", message: "unknown, used already or expired" }]);
    }
    // An invalid body is refused before the link is spent.
    const weak = await server.api("/api/v1/setup", { token: null, json: { setupToken: "the-setup-link-secret", ...person, password: "short" } });
    expect(weak.status).toBe(400);

    const browser = new Browser(server.url);
    const done = await browser.request("/api/v1/setup", { method: "POST", json: { setupToken: "the-setup-link-secret", ...person } });
    expect(done.status).toBe(201);
    const body = (await done.json()) as SessionAnswer;
    expect(body.user).toMatchObject({ email: "first@example.com", name: "First Admin" });
    expect(body.teams).toEqual([{ slug: "default", name: "Default team", role: "admin" }]);
    expect(browser.cookie).toBeDefined();
    browser.csrfToken = body.csrfToken;
    expect((await browser.request("/api/v1/teams/default/members")).status).toBe(200);

    const twice = await server.api("/api/v1/setup", { token: null, json: { setupToken: "the-setup-link-secret", ...person, email: "second@example.com" } });
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as ProblemAnswer).error.message).toMatch(/setup is done already.*Sign in/);
    expect(await server.services.identities.userByEmail("second@example.com")).toBeUndefined();

    const audit = (await (await browser.request("/api/v1/teams/default/audit?action=setup.complete")).json()) as {
      entries: { actor: string; objectId: string; sourceAddress: string }[];
    };
    expect(audit.entries).toEqual([expect.objectContaining({ actor: "first@example.com", objectId: body.user.id, sourceAddress: "127.0.0.1" })]);
  });
});

import type { Env, Hono } from "hono";

/**
 * The page the one-time setup link opens: the first admin picks an email and password. The
 * link's secret stays in the URL fragment, which browsers never send to the server or in a Referer.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Set up Glidepath</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 26rem; margin: 4rem auto; padding: 0 1rem; }
    label { display: block; margin-top: 1rem; }
    input { width: 100%; padding: .5rem; font: inherit; box-sizing: border-box; }
    button { margin-top: 1.5rem; padding: .6rem 1.2rem; font: inherit; }
    [role=alert] { color: #b00020; }
  </style>
</head>
<body>
  <h1>Set up Glidepath</h1>
  <p>Create the first admin. This link works once.</p>
  <form id="setup">
    <label>Name <input name="name" autocomplete="name" required></label>
    <label>Email <input name="email" type="email" autocomplete="email" required></label>
    <label>Password (12 characters or more) <input name="password" type="password" minlength="12" autocomplete="new-password" required></label>
    <button type="submit">Create admin</button>
    <p id="message" role="alert"></p>
  </form>
  <script>
    const form = document.getElementById("setup");
    const message = document.getElementById("message");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const fields = Object.fromEntries(new FormData(form));
      const response = await fetch("/api/v1/setup", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...fields, setupToken: location.hash.slice(1) }),
      });
      const body = await response.json();
      if (!response.ok) { message.textContent = body.error.message; return; }
      history.replaceState(null, "", "/setup");
      form.replaceWith(Object.assign(document.createElement("p"), { textContent: "Done: you are signed in as " + body.user.email + ". The API is at /docs." }));
    });
  </script>
</body>
</html>`;

export function mountSetupPage<E extends Env>(app: Hono<E>): void {
  app.get("/setup", (c) => c.html(PAGE));
}

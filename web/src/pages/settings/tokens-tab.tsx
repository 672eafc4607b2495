import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap, type Role, type Schemas } from "../../api/client";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { ErrorNotice } from "../../components/error-notice";
import { formatDateTime } from "../../format";
import { useTeam } from "../../session/session";
import { Field, fieldError, Loading, RoleField, settingsKeys } from "./settings-shared";
import { NewTokenSecret } from "./new-token-secret";

type ApiToken = Schemas["ApiToken"];

const EXPIRY_CHOICES = [
  { days: "30", label: "30 days" },
  { days: "90", label: "90 days" },
  { days: "365", label: "1 year" },
  { days: "", label: "Never" },
];

/** The team's API tokens, for CI and scripts: admins only, as the API lets no one else list them. */
export function TokensTab() {
  const team = useTeam();
  return (
    <section aria-labelledby="tokens-title" className="settings-tab">
      <h2 id="tokens-title">API tokens</h2>
      {team.can("admin") ? <ManageTokens /> : <p className="notice notice-warn">Only admins manage API tokens.</p>}
    </section>
  );
}

function ManageTokens() {
  const team = useTeam();
  const [created, setCreated] = useState<Schemas["CreatedApiToken"]>();
  const tokens = useQuery({
    queryKey: settingsKeys.tokens(team.slug),
    queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/tokens", { params: { path: { team: team.slug } } })),
  });
  return (
    <>
      <p className="muted">
        A token acts for this team with its role, for CI jobs and scripts: send it as <code>Authorization: Bearer gp_…</code>.
      </p>
      {created && <NewTokenSecret token={created} onDismiss={() => setCreated(undefined)} />}
      {tokens.isPending && <Loading what="API tokens" />}
      <ErrorNotice error={tokens.error} />
      {tokens.data && <TokensTable tokens={tokens.data.tokens} />}
      <CreateToken onCreated={setCreated} />
    </>
  );
}

function TokensTable({ tokens }: { tokens: ApiToken[] }) {
  if (tokens.length === 0) {
    return <p className="muted">No API tokens yet. Create one below for a CI job or a script.</p>;
  }
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <TokenRow key={token.id} token={token} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TokenRow({ token }: { token: ApiToken }) {
  const team = useTeam();
  const client = useQueryClient();
  const status = tokenStatus(token);
  const revoke = async () => {
    await unwrap(api.POST("/api/v1/teams/{team}/tokens/{token}/revoke", { params: { path: { team: team.slug, token: token.id } } }));
    await client.invalidateQueries({ queryKey: settingsKeys.tokens(team.slug) });
  };
  return (
    <tr>
      <td>
        {token.name}
        <br />
        <code className="muted small">{token.prefix}…</code>
      </td>
      <td>{token.role}</td>
      <td className="nowrap">
        {formatDateTime(token.createdAt)}
        <br />
        <span className="muted small">by {token.createdBy}</span>
      </td>
      <td className="nowrap">{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : "Never"}</td>
      <td className="nowrap">{token.expiresAt ? formatDateTime(token.expiresAt) : "Never"}</td>
      <td>
        <span className={`badge ${status === "Active" ? "badge-pass" : "badge-fail"}`}>{status}</span>
        {token.revokedAt && <span className="muted small"> {formatDateTime(token.revokedAt)}</span>}
      </td>
      <td>
        {!token.revokedAt && (
          <ConfirmDialog
            label="Revoke"
            title={`Revoke the token ${token.name}?`}
            consequence={<p>Anything using this token stops working at once.</p>}
            confirmLabel="Revoke token"
            danger
            onConfirm={revoke}
          />
        )}
      </td>
    </tr>
  );
}

function tokenStatus(token: ApiToken): "Active" | "Revoked" | "Expired" {
  if (token.revokedAt) return "Revoked";
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) return "Expired";
  return "Active";
}

function CreateToken({ onCreated }: { onCreated(token: Schemas["CreatedApiToken"]): void }) {
  const team = useTeam();
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("deployer");
  const [expiryDays, setExpiryDays] = useState("90");
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/teams/{team}/tokens", {
          params: { path: { team: team.slug } },
          body: { name, role, ...(expiryDays && { expiresInDays: Number(expiryDays) }) },
        }),
      ),
    onSuccess: async (token) => {
      onCreated(token);
      setName("");
      await client.invalidateQueries({ queryKey: settingsKeys.tokens(team.slug) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card settings-form" onSubmit={submit} aria-labelledby="create-token-title">
      <h3 id="create-token-title">Create a token</h3>
      <div className="settings-form-row">
        <Field
          label="Token name"
          hint={`What uses it; the audit log shows its actions as “token ${name || "…"}”.`}
          error={fieldError(create.error, "name")}
        >
          {(control) => (
            <input
              {...control}
              value={name}
              onChange={(event) => setName(event.target.value)}
              required
              maxLength={100}
              placeholder="github-actions"
            />
          )}
        </Field>
        <RoleField role={role} onChange={setRole} />
        <Field label="Expires after">
          {(control) => (
            <select {...control} value={expiryDays} onChange={(event) => setExpiryDays(event.target.value)}>
              {EXPIRY_CHOICES.map((choice) => (
                <option key={choice.label} value={choice.days}>
                  {choice.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorNotice error={create.error} />
      <div className="settings-form-actions">
        <button type="submit" className="button primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create token"}
        </button>
      </div>
    </form>
  );
}

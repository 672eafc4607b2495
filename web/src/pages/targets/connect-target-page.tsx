import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { Link, useNavigate } from "react-router";
import { api, ApiProblem, unwrap, type Schemas } from "../../api/client";
import { ErrorNotice } from "../../components/error-notice";
import { PageHeader } from "../../components/layout";
import { useTeam } from "../../session/session";
import { PLATFORM_LABELS, targetKeys } from "./target-queries";
import "./targets.css";

type Platform = Schemas["Target"]["platform"];

interface Draft {
  targetName: string;
  platform: Platform;
  /** An existing connection's name, or "" for a new one. */
  connection: string;
  connectionName: string;
  accountId: string;
  apiToken: string;
  apiBaseUrl: string;
  adminUrl: string;
  adminToken: string;
  worker: string;
  defaultPlan: string;
}

type DraftField = keyof Draft;

const EMPTY: Draft = {
  targetName: "",
  platform: "cloudflare",
  connection: "",
  connectionName: "",
  accountId: "",
  apiToken: "",
  apiBaseUrl: "",
  adminUrl: "",
  adminToken: "",
  worker: "",
  defaultPlan: "",
};

/** The server's rule for names (SlugSchema), checked before anything is sent so a bad target name never leaves a connection behind. */
const NAME_PATTERN = "[a-z0-9](?:[a-z0-9\\-]*[a-z0-9])?";
const NAME_RULE = "lowercase letters, digits and dashes, starting and ending with a letter or digit";

const CONNECTION_NAME_BASE: Record<Platform, string> = { cloudflare: "cloudflare", local: "local-proxy" };

/** The platform's usual connection name, numbered past those the team has taken. */
function suggestedConnectionName(platform: Platform, taken: string[]): string {
  const base = CONNECTION_NAME_BASE[platform];
  let name = base;
  for (let n = 2; taken.includes(name); n++) name = `${base}-${n}`;
  return name;
}

/** Which form field each request's `error.fields` entry is about. */
const CONNECTION_FIELDS: Record<string, DraftField> = {
  "body.name": "connectionName",
  "body.accountId": "accountId",
  "body.apiToken": "apiToken",
  "body.apiBaseUrl": "apiBaseUrl",
  "body.adminUrl": "adminUrl",
  "body.adminToken": "adminToken",
};
const TARGET_FIELDS: Record<string, DraftField> = {
  "body.name": "targetName",
  "body.connection": "connection",
  "body.settings.worker": "worker",
  "body.defaultPlan": "defaultPlan",
};

/** A failed step of "Test and save": the connection (nothing saved) or the target (the connection may be). */
class StepFailure extends Error {
  constructor(
    readonly step: "connection" | "target",
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export function ConnectTargetPage() {
  const team = useTeam();
  if (!team.can("admin")) {
    return (
      <>
        <PageHeader title="Connect a target" />
        <p className="notice notice-warn">
          Only an admin of {team.name} can connect targets. <Link to={`/t/${team.slug}/targets`}>Back to the targets</Link>.
        </p>
      </>
    );
  }
  return <ConnectTargetForm />;
}

function ConnectTargetForm() {
  const team = useTeam();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [savedConnection, setSavedConnection] = useState<string>();
  const connections = useQuery({
    queryKey: targetKeys.connections(team.slug),
    queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/connections", { params: { path: { team: team.slug } } })),
  });
  const plans = useQuery({
    queryKey: targetKeys.plans(team.slug),
    queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/plans", { params: { path: { team: team.slug } } })),
  });

  const reusable = (connections.data?.connections ?? []).filter((connection) => connection.platform === draft.platform);
  const teamPlans = (plans.data?.plans ?? []).filter((plan) => !plan.builtIn);
  const isNewConnection = draft.connection === "";
  const suggestedName = suggestedConnectionName(
    draft.platform,
    (connections.data?.connections ?? []).map((connection) => connection.name),
  );

  const save = useMutation({
    mutationFn: async () => {
      const connection = isNewConnection ? await createConnection() : draft.connection;
      try {
        return await unwrap(
          api.POST("/api/v1/teams/{team}/targets", {
            params: { path: { team: team.slug } },
            body: {
              name: draft.targetName.trim(),
              connection,
              settings: draft.platform === "cloudflare" ? { worker: draft.worker.trim() } : {},
              ...(draft.defaultPlan && { defaultPlan: draft.defaultPlan }),
            },
          }),
        );
      } catch (error) {
        throw new StepFailure("target", error);
      }
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: targetKeys.all(team.slug) });
      navigate(`/t/${team.slug}/targets`);
    },
  });

  const failure = save.error instanceof StepFailure ? save.error : undefined;
  const fieldErrors = fieldErrorsOf(failure);
  const choosePlatform = (platform: string) => setDraft((previous) => ({ ...previous, platform: platform as Platform, connection: "" }));
  const bind = (field: DraftField): Bound => ({
    value: draft[field],
    onChange: (value) => setDraft((previous) => ({ ...previous, [field]: value })),
    error: fieldErrors[field],
  });

  /** Saves the new connection, which the server tries first; once saved it is picked, so a retry reuses it. */
  async function createConnection(): Promise<string> {
    const name = draft.connectionName.trim() || suggestedName;
    const apiBaseUrl = draft.apiBaseUrl.trim();
    const body: Schemas["NewConnection"] =
      draft.platform === "cloudflare"
        ? { name, platform: "cloudflare", accountId: draft.accountId.trim(), apiToken: draft.apiToken, ...(apiBaseUrl && { apiBaseUrl }) }
        : { name, platform: "local", adminUrl: draft.adminUrl.trim(), ...(draft.adminToken && { adminToken: draft.adminToken }) };
    try {
      const created = await unwrap(api.POST("/api/v1/teams/{team}/connections", { params: { path: { team: team.slug } }, body }));
      setSavedConnection(created.name);
      setDraft((previous) => ({ ...previous, connection: created.name, apiToken: "", adminToken: "" }));
      await queryClient.invalidateQueries({ queryKey: targetKeys.connections(team.slug) });
      return created.name;
    } catch (error) {
      throw new StepFailure("connection", error);
    }
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <>
      <PageHeader title="Connect a target">
        <p className="muted">
          Glidepath tries the connection and reads the target’s versions before saving anything, so a mistake shows here, not in a release.
        </p>
      </PageHeader>
      <form className="card connect-form" onSubmit={submit}>
        <TextField
          label="Target name"
          {...bind("targetName")}
          required
          isName
          hint="Lowercase letters, digits and dashes, e.g. storefront. Releases and the CLI name the target by it."
        />
        <SelectField label="Platform" value={draft.platform} onChange={choosePlatform} error={undefined}>
          {Object.entries(PLATFORM_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </SelectField>

        <ErrorNotice error={connections.error} title="The existing connections could not be read" />
        {reusable.length > 0 && (
          <SelectField label="Connection" {...bind("connection")} hint="Reuse the credentials of a saved connection, or enter new ones.">
            <option value="">A new connection</option>
            {reusable.map((connection) => (
              <option key={connection.id} value={connection.name}>
                {connection.name} ({connection.adminUrl ?? connection.accountId})
              </option>
            ))}
          </SelectField>
        )}
        {isNewConnection && <NewConnectionFields platform={draft.platform} suggestedName={suggestedName} bind={bind} />}

        {draft.platform === "cloudflare" && (
          <TextField label="Worker" {...bind("worker")} required hint="The Worker’s name, as in wrangler’s name setting." />
        )}
        <SelectField
          label="Default plan"
          {...bind("defaultPlan")}
          hint={teamPlans.length > 0 ? "Used when a release names no plan." : "The team has no plans of its own yet; save one under Plans to make it a target’s default."}
        >
          <option value="">None (releases use “standard”)</option>
          {teamPlans.map((plan) => (
            <option key={plan.name} value={plan.name}>
              {plan.name}
            </option>
          ))}
        </SelectField>
        <ErrorNotice error={plans.error} title="The plans could not be read" />

        {savedConnection && failure?.step === "target" && (
          <p className="notice notice-ok">Connection {savedConnection} works and was saved; it is picked above, so trying again reuses it.</p>
        )}
        {failure && <ErrorNotice error={failure.cause} title={failure.step === "connection" ? "Nothing was saved" : "The target was not saved"} />}
        <div className="connect-actions">
          <button type="submit" className="button primary" disabled={save.isPending}>
            {save.isPending ? "Testing…" : "Test and save"}
          </button>
          <Link to={`/t/${team.slug}/targets`}>Cancel</Link>
        </div>
      </form>
    </>
  );
}

/** The credentials of a new connection, which differ by platform, and the name to save it under. */
function NewConnectionFields({ platform, suggestedName, bind }: { platform: Platform; suggestedName: string; bind: (field: DraftField) => Bound }) {
  return (
    <>
      {platform === "cloudflare" ? (
        <>
          <TextField label="Account ID" {...bind("accountId")} required hint="32 hexadecimal digits, as in the Cloudflare dashboard’s URL." />
          <TextField
            label="API token"
            type="password"
            {...bind("apiToken")}
            required
            hint="Needs Workers Scripts Edit and Account Analytics Read. Stored sealed and never shown again."
          />
          <details>
            <summary>Advanced</summary>
            <TextField
              label="API base URL"
              type="url"
              {...bind("apiBaseUrl")}
              hint="Only to rehearse against glidepath sim cloudflare; leave empty for the real Cloudflare API."
            />
          </details>
        </>
      ) : (
        <>
          <TextField
            label="Proxy admin URL"
            type="url"
            {...bind("adminUrl")}
            required
            placeholder="http://127.0.0.1:9901"
            hint="The --admin address of glidepath proxy."
          />
          <TextField
            label="Admin token (optional)"
            type="password"
            {...bind("adminToken")}
            hint="The proxy’s --admin-token, if it has one. Stored sealed and never shown again."
          />
        </>
      )}
      <TextField
        label="Connection name"
        {...bind("connectionName")}
        isName
        placeholder={suggestedName}
        hint={`Other targets on the same account can reuse it. Empty: “${suggestedName}”.`}
      />
    </>
  );
}

function fieldErrorsOf(failure: StepFailure | undefined): Partial<Record<DraftField, string>> {
  if (!(failure?.cause instanceof ApiProblem)) return {};
  const fields = failure.step === "connection" ? CONNECTION_FIELDS : TARGET_FIELDS;
  const errors: Partial<Record<DraftField, string>> = {};
  for (const problem of failure.cause.fields) {
    const field = fields[problem.field];
    if (field) errors[field] = problem.message;
  }
  return errors;
}

/** A draft field's value, its setter and the server's complaint about it. */
interface Bound {
  value: string;
  onChange(value: string): void;
  error: string | undefined;
}

interface FieldProps extends Bound {
  label: string;
  hint?: string;
}

/** A label, its control, a hint and the server's complaint; hint and complaint describe the control without lengthening its name. */
function Field({ label, hint, error, control }: { label: string; hint?: string; error?: string; control: (ids: ControlIds) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error && errorId, hint && hintId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control({ id, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined })}
      {hint && (
        <span className="field-hint" id={hintId}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={errorId}>
          {error}
        </span>
      )}
    </div>
  );
}

interface ControlIds {
  id: string;
  "aria-describedby": string | undefined;
  "aria-invalid": true | undefined;
}

interface TextFieldProps extends FieldProps {
  type?: "text" | "password" | "url";
  required?: boolean;
  placeholder?: string;
  /** Names follow the server's rule for names. */
  isName?: boolean;
}

function TextField({ label, value, onChange, error, hint, type = "text", required, placeholder, isName }: TextFieldProps) {
  return (
    <Field
      label={label}
      hint={hint}
      error={error}
      control={(ids) => (
        <input
          {...ids}
          type={type}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          required={required}
          placeholder={placeholder}
          pattern={isName ? NAME_PATTERN : undefined}
          title={isName ? `Use ${NAME_RULE}` : undefined}
          maxLength={isName ? 63 : undefined}
          autoComplete="off"
          spellCheck={false}
        />
      )}
    />
  );
}

function SelectField({ label, value, onChange, error, hint, children }: FieldProps & { children: ReactNode }) {
  return (
    <Field
      label={label}
      hint={hint}
      error={error}
      control={(ids) => (
        <select {...ids} value={value} onChange={(event) => onChange(event.target.value)}>
          {children}
        </select>
      )}
    />
  );
}

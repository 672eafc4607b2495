import { useId, type ReactNode } from "react";
import { ApiProblem, type Role } from "../../api/client";
import { ROLES } from "../../../../src/server/auth/roles";

/** What each role adds, said where a role is chosen. */
const ROLE_HINTS: Record<Role, string> = {
  viewer: "viewer: reads everything",
  deployer: "deployer: also creates and drives releases, edits plans",
  admin: "admin: also manages members, tokens, targets and channels",
};

/** The query keys of this page's data, per team. */
export const settingsKeys = {
  team: (team: string) => ["team", team] as const,
  members: (team: string) => ["team", team, "members"] as const,
  tokens: (team: string) => ["team", team, "tokens"] as const,
  channels: (team: string) => ["team", team, "channels"] as const,
  deliveries: (team: string, channel: string) => ["team", team, "channels", channel, "deliveries"] as const,
};

/** The server's message for one field of the request body, to show beside its input. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  return error.fields.find((entry) => entry.field === `body.${field}`)?.message;
}

export function RoleOptions() {
  return ROLES.map((role) => (
    <option key={role} value={role}>
      {role}
    </option>
  ));
}

/** What a form control gets from its Field: the id its label points at, and its hint and error. */
interface FieldControl {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: true;
}

interface FieldProps {
  label: string;
  hint?: ReactNode;
  /** The server's message for this field, from `fieldError`. */
  error?: string;
  children(control: FieldControl): ReactNode;
}

/**
 * A labelled control with its hint and the server's error. The hint sits outside the <label>, so
 * the control's accessible name is the label alone.
 */
export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(describedBy && { "aria-describedby": describedBy }), ...(error && { "aria-invalid": true }) })}
      {hint && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** The role a new member or token gets, with what that role may do. */
export function RoleField({ role, onChange }: { role: Role; onChange(role: Role): void }) {
  return (
    <Field label="Role" hint={ROLE_HINTS[role]}>
      {(control) => (
        <select {...control} value={role} onChange={(event) => onChange(event.target.value as Role)}>
          <RoleOptions />
        </select>
      )}
    </Field>
  );
}

import { ApiProblem, type Role } from "../../api/client";
import { ROLES } from "../../../../src/server/auth/roles";

export { ROLES };

/** What each role adds, said where a role is chosen. */
export const ROLE_HINTS: Record<Role, string> = {
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

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span id={id} className="field-error">
      {message}
    </span>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

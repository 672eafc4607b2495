import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap, type Schemas } from "../../api/client";
import { ErrorNotice } from "../../components/error-notice";
import { formatDateTime } from "../../format";
import { SESSION_KEY, useTeam } from "../../session/session";
import { Field, fieldError, Loading, settingsKeys } from "./settings-shared";

/** The team itself: its name (admins rename it; the slug stays, so URLs and tokens keep working). */
export function TeamTab() {
  const team = useTeam();
  const details = useQuery({
    queryKey: settingsKeys.team(team.slug),
    queryFn: () => unwrap(api.GET("/api/v1/teams/{team}", { params: { path: { team: team.slug } } })),
  });
  return (
    <section aria-labelledby="team-tab-title" className="settings-tab">
      <h2 id="team-tab-title">Team</h2>
      {details.isPending && <Loading what="the team" />}
      <ErrorNotice error={details.error} />
      {details.data && (
        <dl className="settings-facts">
          <dt>Name</dt>
          <dd>{details.data.name}</dd>
          <dt>Slug</dt>
          <dd>
            <code>{details.data.slug}</code> <span className="muted small">(in URLs and the API; it never changes)</span>
          </dd>
          <dt>Created</dt>
          <dd>{formatDateTime(details.data.createdAt)}</dd>
        </dl>
      )}
      {details.data && team.can("admin") && <RenameTeam current={details.data} />}
    </section>
  );
}

function RenameTeam({ current }: { current: Schemas["Team"] }) {
  const client = useQueryClient();
  const [name, setName] = useState(current.name);
  const rename = useMutation({
    mutationFn: () => unwrap(api.PATCH("/api/v1/teams/{team}", { params: { path: { team: current.slug } }, body: { name } })),
    onSuccess: (renamed) => {
      client.setQueryData(settingsKeys.team(current.slug), renamed);
      return client.invalidateQueries({ queryKey: SESSION_KEY });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rename.mutate();
  };
  return (
    <form className="card settings-form rename-team" onSubmit={submit} aria-labelledby="rename-team-title">
      <h3 id="rename-team-title">Rename the team</h3>
      <Field label="Team name" hint="The slug stays, so URLs and API tokens keep working." error={fieldError(rename.error, "name")}>
        {(control) => (
          <input
            {...control}
            value={name}
            onChange={(event) => {
              setName(event.target.value);
              rename.reset();
            }}
            required
            maxLength={100}
          />
        )}
      </Field>
      <ErrorNotice error={rename.error} />
      <div className="settings-form-actions">
        <button type="submit" className="button primary" disabled={rename.isPending || name.trim() === current.name}>
          {rename.isPending ? "Renaming…" : "Rename team"}
        </button>
        <span role="status">{rename.isSuccess && "Renamed."}</span>
      </div>
    </form>
  );
}

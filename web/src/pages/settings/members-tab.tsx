import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { flushSync } from "react-dom";
import { useNavigate } from "react-router";
import { api, unwrap, type Role, type Schemas } from "../../api/client";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { ErrorNotice } from "../../components/error-notice";
import { SESSION_KEY, useSession, useTeam } from "../../session/session";
import { Field, fieldError, Loading, RoleField, RoleOptions, settingsKeys } from "./settings-shared";

type Member = Schemas["Member"];

/** Who is in the team and with which role; admins add, re-role and remove people. */
export function MembersTab() {
  const team = useTeam();
  const members = useQuery({
    queryKey: settingsKeys.members(team.slug),
    queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/members", { params: { path: { team: team.slug } } })),
  });
  const isAdmin = team.can("admin");
  return (
    <section aria-labelledby="members-title" className="settings-tab">
      <h2 id="members-title">Members</h2>
      {!isAdmin && <p className="muted">Only admins add members or change roles.</p>}
      {members.isPending && <Loading what="members" />}
      <ErrorNotice error={members.error} />
      {members.data && <MembersTable members={members.data.members} isAdmin={isAdmin} />}
      {isAdmin && <AddMember />}
    </section>
  );
}

function MembersTable({ members, isAdmin }: { members: Member[]; isAdmin: boolean }) {
  const selfId = useSession().data?.user.id;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            {isAdmin && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <MemberRow key={member.id} member={member} isAdmin={isAdmin} isSelf={member.id === selfId} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MemberRow({ member, isAdmin, isSelf }: { member: Member; isAdmin: boolean; isSelf: boolean }) {
  const team = useTeam();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const changeRoleButton = useRef<HTMLButtonElement>(null);
  const stopEditing = () => {
    flushSync(() => setEditing(false));
    changeRoleButton.current?.focus();
  };
  const memberPath = { params: { path: { team: team.slug, user: member.id } } };

  const remove = async () => {
    await unwrap(api.DELETE("/api/v1/teams/{team}/members/{user}", memberPath));
    if (isSelf) {
      await client.invalidateQueries({ queryKey: SESSION_KEY });
      navigate("/");
      return;
    }
    await client.invalidateQueries({ queryKey: settingsKeys.members(team.slug) });
  };

  return (
    <tr>
      <td>
        {member.name} {isSelf && <span className="badge">you</span>}
      </td>
      <td>{member.email}</td>
      <td>{editing ? <ChangeRole member={member} isSelf={isSelf} onDone={stopEditing} /> : member.role}</td>
      {isAdmin && (
        <td>
          <div className="row-actions">
            {!editing && (
              <button ref={changeRoleButton} type="button" className="button" onClick={() => setEditing(true)}>
                Change role
              </button>
            )}
            <ConfirmDialog
              label="Remove"
              title={`Remove ${member.email}?`}
              consequence={
                isSelf ? (
                  <p>You lose access to team {team.name} at once. Your account and your other teams stay.</p>
                ) : (
                  <p>
                    {member.email} loses access to team {team.name} at once. Their account and their other teams stay; add them again
                    to give access back.
                  </p>
                )
              }
              confirmLabel="Remove member"
              danger
              onConfirm={remove}
            />
          </div>
        </td>
      )}
    </tr>
  );
}

function ChangeRole({ member, isSelf, onDone }: { member: Member; isSelf: boolean; onDone(): void }) {
  const team = useTeam();
  const client = useQueryClient();
  const [role, setRole] = useState<Role>(member.role);
  const change = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH("/api/v1/teams/{team}/members/{user}", {
          params: { path: { team: team.slug, user: member.id } },
          body: { role },
        }),
      ),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: settingsKeys.members(team.slug) });
      if (isSelf) await client.invalidateQueries({ queryKey: SESSION_KEY });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate();
  };
  return (
    <form className="change-role" onSubmit={submit}>
      <select
        aria-label={`New role for ${member.email}`}
        value={role}
        onChange={(event) => setRole(event.target.value as Role)}
        autoFocus
      >
        <RoleOptions />
      </select>
      <button type="submit" className="button primary" disabled={change.isPending || role === member.role}>
        Save
      </button>
      <button type="button" className="button" onClick={onDone}>
        Cancel
      </button>
      {isSelf && role !== "admin" && <p className="field-hint">This is you: you lose the admin’s actions in this team.</p>}
      <ErrorNotice error={change.error} />
    </form>
  );
}

function AddMember() {
  const team = useTeam();
  const client = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/teams/{team}/members", {
          params: { path: { team: team.slug } },
          body: { email, role, ...(name.trim() && { name: name.trim() }), ...(password && { password }) },
        }),
      ),
    onSuccess: async () => {
      setEmail("");
      setName("");
      setPassword("");
      await client.invalidateQueries({ queryKey: settingsKeys.members(team.slug) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <form className="card settings-form" onSubmit={submit} aria-labelledby="add-member-title">
      <h3 id="add-member-title">Add a member</h3>
      <p className="muted small">
        Glidepath sends no invitations. Someone who already has an account is added at once: leave the password empty. For someone
        new, set an initial password: their account is created with it. Give it to them privately; they can change it after signing
        in.
      </p>
      <div className="settings-form-row">
        <Field label="Email" error={fieldError(add.error, "email")}>
          {(control) => (
            <input
              {...control}
              type="email"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              required
              maxLength={320}
              autoComplete="off"
            />
          )}
        </Field>
        <RoleField role={role} onChange={setRole} />
      </div>
      <fieldset>
        <legend>Only for someone without an account</legend>
        <div className="settings-form-row">
          <Field label="Full name" hint="Optional; the part of the email before @ by default." error={fieldError(add.error, "name")}>
            {(control) => (
              <input {...control} value={name} onChange={(event) => setName(event.target.value)} maxLength={100} autoComplete="off" />
            )}
          </Field>
          <Field
            label="Initial password"
            hint="At least 12 characters. Leave empty to add an existing account."
            error={fieldError(add.error, "password")}
          >
            {(control) => (
              <input
                {...control}
                type="password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                minLength={12}
                maxLength={1000}
                autoComplete="new-password"
              />
            )}
          </Field>
        </div>
      </fieldset>
      <ErrorNotice error={add.error} />
      <div className="settings-form-actions">
        <button type="submit" className="button primary" disabled={add.isPending}>
          {add.isPending ? "Adding…" : "Add member"}
        </button>
        <span role="status">{add.isSuccess && `Added ${add.data.email} as ${add.data.role}.`}</span>
      </div>
    </form>
  );
}

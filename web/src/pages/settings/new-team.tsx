import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { ErrorNotice } from "../../components/error-notice";
import { SESSION_KEY } from "../../session/session";
import { Field, fieldError } from "./settings-shared";

/** "Payments EU" -> "payments-eu": a slug the server accepts, proposed until the user types their own. */
function slugOf(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
}

/** Any signed-in person may create a team and becomes its admin; the dialog then opens the new team. */
export function NewTeam() {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    if (open) dialog.current?.showModal();
    else dialog.current?.close();
  }, [open]);

  return (
    <>
      <button type="button" className="button" onClick={() => setOpen(true)}>
        New team
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} onClose={() => setOpen(false)} className="dialog">
        {open && <NewTeamForm titleId={titleId} onDone={() => setOpen(false)} />}
      </dialog>
    </>
  );
}

function NewTeamForm({ titleId, onDone }: { titleId: string; onDone(): void }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [customSlug, setCustomSlug] = useState<string>();
  const slug = customSlug ?? slugOf(name);
  const create = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/teams", { body: { name, slug } })),
    onSuccess: async (team) => {
      await client.invalidateQueries({ queryKey: SESSION_KEY });
      onDone();
      navigate(`/t/${team.slug}/settings/members`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit}>
      <h2 id={titleId}>New team</h2>
      <p className="muted small">You become the new team’s admin. Its connections, targets, plans and releases start empty.</p>
      <Field label="Name" error={fieldError(create.error, "name")}>
        {(control) => (
          <input {...control} value={name} onChange={(event) => setName(event.target.value)} required maxLength={100} autoFocus />
        )}
      </Field>
      <Field
        label="Slug"
        hint="Lowercase letters, digits and dashes. It is part of every URL of the team and cannot be changed later."
        error={fieldError(create.error, "slug")}
      >
        {(control) => (
          <input
            {...control}
            value={slug}
            onChange={(event) => setCustomSlug(event.target.value)}
            required
            maxLength={63}
            pattern="[a-z0-9]([a-z0-9\-]*[a-z0-9])?"
          />
        )}
      </Field>
      <ErrorNotice error={create.error} />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create team"}
        </button>
      </div>
    </form>
  );
}

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { api, unwrap, type Schemas } from "../../api/client";
import { ErrorNotice } from "../../components/error-notice";
import { useTeam } from "../../session/session";
import { KIND_LABELS, NOTICE_KINDS, NOTICE_LABELS, URL_HINTS, type Channel, type ChannelKind, type NoticeKind } from "./channel-kinds";
import { Field, fieldError, settingsKeys } from "./settings-shared";

/**
 * Adds a channel, or changes `channel`. The URL and the secret are never read back from the
 * server, so when editing, empty fields keep what is stored.
 */
export function ChannelForm({ channel, onDone }: { channel?: Channel; onDone?(): void }) {
  const team = useTeam();
  const client = useQueryClient();
  const id = useId();
  const [name, setName] = useState(channel?.name ?? "");
  const [kind, setKind] = useState<ChannelKind>(channel?.type ?? "slack");
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const [unsigned, setUnsigned] = useState(false);
  const [events, setEvents] = useState<NoticeKind[]>(channel?.events ?? NOTICE_KINDS);
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const [noEvents, setNoEvents] = useState(false);

  const save = useMutation({
    mutationFn: () =>
      channel
        ? unwrap(
            api.PATCH("/api/v1/teams/{team}/channels/{channel}", {
              params: { path: { team: team.slug, channel: channel.id } },
              body: changes(channel),
            }),
          )
        : unwrap(api.POST("/api/v1/teams/{team}/channels", { params: { path: { team: team.slug } }, body: newChannel() })),
    onSuccess: async () => {
      setUrl("");
      setSecret("");
      if (!channel) setName("");
      await client.invalidateQueries({ queryKey: settingsKeys.channels(team.slug) });
      onDone?.();
    },
  });

  const ordered = () => NOTICE_KINDS.filter((notice) => events.includes(notice));
  const newChannel = (): Schemas["NewChannel"] => ({
    name,
    type: kind,
    url,
    ...(kind === "webhook" && secret && { secret }),
    events: ordered(),
    enabled,
  });
  const changes = (before: Channel): Schemas["ChannelChange"] => ({
    name,
    type: kind,
    ...(url && { url }),
    ...secretChange(before),
    events: ordered(),
    enabled,
  });
  /** Only generic webhooks are signed: a signed channel made another kind drops its secret. */
  const secretChange = (before: Channel): Pick<Schemas["ChannelChange"], "secret"> => {
    if (kind !== "webhook") return before.signed ? { secret: null } : {};
    if (unsigned) return { secret: null };
    return secret ? { secret } : {};
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setNoEvents(events.length === 0);
    if (events.length > 0) save.mutate();
  };
  const toggle = (notice: NoticeKind, on: boolean) => {
    setEvents((current) => (on ? [...current, notice] : current.filter((other) => other !== notice)));
    setNoEvents(false);
  };
  const eventsError = noEvents ? "Pick at least one event, or disable the channel instead." : fieldError(save.error, "events");
  const titleId = `${id}-title`;

  return (
    <form className="card settings-form" onSubmit={submit} aria-labelledby={titleId}>
      <h3 id={titleId}>{channel ? `Edit ${channel.name}` : "Add a channel"}</h3>
      <div className="settings-form-row">
        <Field label="Channel name" error={fieldError(save.error, "name")}>
          {(control) => (
            <input
              {...control}
              value={name}
              onChange={(event) => setName(event.target.value)}
              required
              maxLength={100}
              placeholder="deploys"
              autoFocus={channel !== undefined}
            />
          )}
        </Field>
        <Field label="Kind">
          {(control) => (
            <select {...control} value={kind} onChange={(event) => setKind(event.target.value as ChannelKind)}>
              {Object.entries(KIND_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field
        label="Webhook URL"
        hint={
          <>
            {channel
              ? `Leave empty to keep the current URL${channel.host ? ` (posting to ${channel.host})` : ""}. `
              : `${URL_HINTS[kind]} `}
            It grants posting, so it is stored sealed and never shown again: only its host is.
          </>
        }
        error={fieldError(save.error, "url")}
      >
        {(control) => (
          <input
            {...control}
            type="url"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            required={!channel}
            maxLength={2000}
            autoComplete="off"
            spellCheck={false}
          />
        )}
      </Field>
      {kind === "webhook" && (
        <SigningSecret
          secret={secret}
          setSecret={setSecret}
          signed={channel?.signed === true && channel.type === "webhook"}
          unsigned={unsigned}
          setUnsigned={setUnsigned}
          error={fieldError(save.error, "secret")}
        />
      )}
      <fieldset aria-describedby={`${id}-events-error`}>
        <legend>Events sent</legend>
        <div className="event-choices">
          {NOTICE_KINDS.map((notice) => (
            <label key={notice} className="checkbox">
              <input type="checkbox" checked={events.includes(notice)} onChange={(event) => toggle(notice, event.target.checked)} />
              {NOTICE_LABELS[notice]}
            </label>
          ))}
        </div>
        {eventsError && (
          <span id={`${id}-events-error`} className="field-error">
            {eventsError}
          </span>
        )}
      </fieldset>
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
        Enabled: send notices to this channel
      </label>
      <ErrorNotice error={save.error} />
      <div className="settings-form-actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : channel ? "Save channel" : "Add channel"}
        </button>
        {onDone && (
          <button type="button" className="button" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

interface SigningSecretProps {
  secret: string;
  setSecret(secret: string): void;
  /** Whether the stored channel has a secret already. */
  signed: boolean;
  unsigned: boolean;
  setUnsigned(unsigned: boolean): void;
  error: string | undefined;
}

function SigningSecret({ secret, setSecret, signed, unsigned, setUnsigned, error }: SigningSecretProps) {
  return (
    <>
      <Field
        label="Signing secret"
        hint={
          <>
            {signed ? "Leave empty to keep the current secret. " : "Optional. "}
            Each body is signed with it (HMAC-SHA256 in the X-Glidepath-Signature header) so the receiver can check it came from
            Glidepath. Stored sealed and never shown again.
          </>
        }
        error={error}
      >
        {(control) => (
          <input
            {...control}
            type="password"
            value={secret}
            onChange={(event) => setSecret(event.target.value)}
            disabled={unsigned}
            maxLength={500}
            autoComplete="new-password"
          />
        )}
      </Field>
      {signed && (
        <label className="checkbox">
          <input type="checkbox" checked={unsigned} onChange={(event) => setUnsigned(event.target.checked)} />
          Remove the secret and send unsigned from now on
        </label>
      )}
    </>
  );
}

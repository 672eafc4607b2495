import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap, type Schemas } from "../../api/client";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { ErrorNotice } from "../../components/error-notice";
import { useTeam } from "../../session/session";
import { ChannelDeliveries } from "./channel-deliveries";
import { KIND_LABELS, NOTICE_KINDS, NOTICE_LABELS, type Channel } from "./channel-kinds";
import { settingsKeys } from "./settings-shared";

/** One channel: what it is sent and where; `onEdit` is given to admins only, who also test, toggle and delete. */
export function ChannelCard({ channel, onEdit, focusEdit }: { channel: Channel; onEdit?(): void; focusEdit?: boolean }) {
  const [showDeliveries, setShowDeliveries] = useState(false);
  const titleId = `channel-${channel.id}`;
  const deliveriesId = `channel-${channel.id}-deliveries`;
  const allEvents = NOTICE_KINDS.every((notice) => channel.events.includes(notice));
  return (
    <section className="card channel-card" aria-labelledby={titleId}>
      <div className="channel-card-head">
        <h3 id={titleId}>{channel.name}</h3>
        <span className="badge">{KIND_LABELS[channel.type]}</span>
        <span className={channel.enabled ? "badge badge-pass" : "badge"}>{channel.enabled ? "Enabled" : "Disabled"}</span>
        {channel.signed && <span className="badge">Signed</span>}
      </div>
      <dl className="settings-facts">
        <dt>Webhook URL</dt>
        <dd>
          {channel.host ? (
            <>
              <code>{channel.host}</code> <span className="muted small">(only the host is shown; the full URL is kept secret)</span>
            </>
          ) : (
            <span className="field-error">
              Cannot be read back: the server’s secret key changed. An admin must enter the URL again.
            </span>
          )}
        </dd>
        <dt>Events</dt>
        <dd>{allEvents ? "All events" : channel.events.map((notice) => NOTICE_LABELS[notice]).join(", ")}</dd>
      </dl>
      {onEdit && <ChannelActions channel={channel} onEdit={onEdit} focusEdit={focusEdit} />}
      <button
        type="button"
        className="link-button deliveries-toggle"
        aria-expanded={showDeliveries}
        aria-controls={deliveriesId}
        onClick={() => setShowDeliveries((shown) => !shown)}
      >
        <span aria-hidden="true">{showDeliveries ? "▾" : "▸"} </span>
        Recent deliveries
      </button>
      <div id={deliveriesId}>{showDeliveries && <ChannelDeliveries channel={channel} />}</div>
    </section>
  );
}

function ChannelActions({ channel, onEdit, focusEdit }: { channel: Channel; onEdit(): void; focusEdit?: boolean }) {
  const team = useTeam();
  const client = useQueryClient();
  const channelPath = { params: { path: { team: team.slug, channel: channel.id } } };
  const test = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/teams/{team}/channels/{channel}/test", channelPath)),
  });
  const toggle = useMutation({
    mutationFn: () =>
      unwrap(api.PATCH("/api/v1/teams/{team}/channels/{channel}", { ...channelPath, body: { enabled: !channel.enabled } })),
    onSuccess: () => client.invalidateQueries({ queryKey: settingsKeys.channels(team.slug) }),
  });
  const remove = async () => {
    await unwrap(api.DELETE("/api/v1/teams/{team}/channels/{channel}", channelPath));
    await client.invalidateQueries({ queryKey: settingsKeys.channels(team.slug) });
  };
  return (
    <>
      <div className="row-actions">
        <button type="button" className="button" onClick={() => test.mutate()} disabled={test.isPending}>
          Send test
        </button>
        <button type="button" className="button" onClick={onEdit} autoFocus={focusEdit}>
          Edit
        </button>
        <button type="button" className="button" onClick={() => toggle.mutate()} disabled={toggle.isPending}>
          {channel.enabled ? "Disable" : "Enable"}
        </button>
        <ConfirmDialog
          label="Delete"
          title={`Delete the channel ${channel.name}?`}
          consequence={
            <p>Glidepath stops notifying {channel.name} at once; its queued notices and its delivery history are dropped.</p>
          }
          confirmLabel="Delete channel"
          danger
          onConfirm={remove}
        />
      </div>
      <div role="status">
        {test.isPending && <p className="muted">Sending a test notification…</p>}
        {test.data && <TestResult result={test.data} />}
      </div>
      <ErrorNotice error={test.error ?? toggle.error} />
    </>
  );
}

function TestResult({ result }: { result: Schemas["DeliveryResult"] }) {
  if (result.ok) {
    return (
      <p className="notice notice-ok">
        Test delivered{result.status !== undefined && `: the receiver answered ${result.status}`}.
      </p>
    );
  }
  return (
    <p className="notice notice-error">
      Test not delivered: {result.error ?? `the receiver answered ${result.status ?? "nothing"}`}.
      {result.retryable && " This may pass by itself; try again in a moment."}
    </p>
  );
}

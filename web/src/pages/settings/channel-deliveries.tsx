import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, unwrap, type Schemas } from "../../api/client";
import { ErrorNotice } from "../../components/error-notice";
import { formatDateTime } from "../../format";
import { useTeam } from "../../session/session";
import { NOTICE_LABELS, type Channel } from "./channel-kinds";
import { Loading, settingsKeys } from "./settings-shared";

const RECENT = 20;
/** While a notice waits for a retry, look again this often to see it go out. */
const PENDING_REFRESH_MS = 5000;

const STATUSES: Record<Schemas["Delivery"]["status"], { label: string; badge: string }> = {
  delivered: { label: "Delivered", badge: "badge badge-pass" },
  failed: { label: "Failed", badge: "badge badge-fail" },
  pending: { label: "Retrying", badge: "badge badge-inconclusive" },
};

/** The channel's latest notices: what was sent, how many attempts it took, and why the last one failed. */
export function ChannelDeliveries({ channel }: { channel: Channel }) {
  const team = useTeam();
  const deliveries = useQuery({
    queryKey: settingsKeys.deliveries(team.slug, channel.id),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/teams/{team}/channels/{channel}/deliveries", {
          params: { path: { team: team.slug, channel: channel.id }, query: { limit: RECENT } },
        }),
      ),
    refetchInterval: (query) =>
      query.state.data?.deliveries.some((delivery) => delivery.status === "pending") ? PENDING_REFRESH_MS : false,
  });
  if (deliveries.isPending) return <Loading what="deliveries" />;
  if (deliveries.error) return <ErrorNotice error={deliveries.error} />;
  const list = deliveries.data.deliveries;
  if (list.length === 0) {
    return <p className="muted small">Nothing sent yet. Notices appear here once a release does something this channel is sent.</p>;
  }
  return (
    <div className="table-wrap deliveries">
      <table>
        <caption className="visually-hidden">Recent deliveries to {channel.name}</caption>
        <thead>
          <tr>
            <th scope="col">Queued</th>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col" className="number">
              Attempts
            </th>
            <th scope="col">Delivered or next try</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {list.map((delivery) => (
            <tr key={delivery.id}>
              <td className="nowrap">{formatDateTime(delivery.createdAt)}</td>
              <td>
                {NOTICE_LABELS[delivery.kind as keyof typeof NOTICE_LABELS] ?? delivery.kind}
                {delivery.title && (
                  <>
                    <br />
                    {delivery.releaseId ? (
                      <Link to={`/t/${team.slug}/releases/${delivery.releaseId}`}>{delivery.title}</Link>
                    ) : (
                      <span className="muted small">{delivery.title}</span>
                    )}
                  </>
                )}
              </td>
              <td>
                <span className={STATUSES[delivery.status].badge}>{STATUSES[delivery.status].label}</span>
              </td>
              <td className="number">{delivery.attempts}</td>
              <td className="nowrap">{formatDateTime(delivery.deliveredAt ?? delivery.nextAttemptAt)}</td>
              <td className="small">{delivery.lastError ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import { useQuery } from "@tanstack/react-query";
import { Navigate, useLocation, useParams } from "react-router";
import { api, ApiProblem } from "../../api/client";
import { useSession } from "../../session/session";

/**
 * /releases/:id, the link notifications carry: finds which of the user's teams holds the release
 * and goes to it there.
 */
export function ReleaseLinkPage() {
  const { release = "" } = useParams();
  const location = useLocation();
  const session = useSession();
  const teams = session.data?.teams ?? [];
  const owner = useQuery({
    queryKey: ["release-owner", release, teams.map((team) => team.slug)],
    enabled: teams.length > 0,
    queryFn: async () => {
      for (const team of teams) {
        const { response } = await api.GET("/api/v1/teams/{team}/releases/{release}", { params: { path: { team: team.slug, release } } });
        if (response.ok) return team.slug;
        if (response.status !== 404) throw new ApiProblem(response.status, "http_error", `the server answered ${response.status}`);
      }
      return null;
    },
  });
  if (session.isPending) return <p role="status">Loading…</p>;
  if (!session.data) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname)}`} replace />;
  if (owner.data) return <Navigate to={`/t/${owner.data}/releases/${release}`} replace />;
  if (owner.isPending && teams.length > 0) return <p role="status">Finding the release…</p>;
  return (
    <main id="main" className="page">
      <h1>Release not found</h1>
      <p>None of your teams has a release {release}. It may belong to a team you are not in.</p>
    </main>
  );
}

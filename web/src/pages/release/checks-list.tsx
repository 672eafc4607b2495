import { useState } from "react";
import { formatDateTime } from "../../format";
import { LazyDetails } from "./lazy-details";
import { checksOf, formatCount, formatSli, stageName, stagePercent, type CheckView, type ReleaseDetail, type SloResultView } from "./release-model";
import { describeLimit } from "./slo-words";

/** How many older checks show before the rest wait behind a button. */
const OLDER_SHOWN = 10;

const VERDICTS: Record<SloResultView["verdict"], { label: string; badge: string }> = {
  pass: { label: "Pass", badge: "badge-pass" },
  fail: { label: "Fail", badge: "badge-fail" },
  insufficient_data: { label: "No verdict", badge: "badge-inconclusive" },
  not_applicable: { label: "Not applicable", badge: "" },
};

/** Every check, the latest open, each with its verdict per SLO and the numbers behind it. */
export function ChecksList({ release }: { release: ReleaseDetail }) {
  const [showAll, setShowAll] = useState(false);
  const [latest, ...older] = checksOf(release).toReversed();
  const shown = showAll ? older : older.slice(0, OLDER_SHOWN);
  return (
    <section aria-labelledby="checks-heading">
      <h2 id="checks-heading">Checks</h2>
      {!latest ? (
        <p className="card muted">No checks yet. Glidepath checks every SLO once the candidate takes traffic.</p>
      ) : (
        <>
          <div className="card check">
            <h3 className="check-title">
              Latest check: <CheckSummary check={latest} release={release} />
            </h3>
            <CheckDetail check={latest} release={release} />
          </div>
          {shown.length > 0 && (
            <>
              <h3>Earlier checks</h3>
              <ul className="older-checks">
                {shown.map((check) => (
                  <li key={check.at}>
                    <LazyDetails className="card check" summary={<CheckSummary check={check} release={release} />}>
                      {() => <CheckDetail check={check} release={release} />}
                    </LazyDetails>
                  </li>
                ))}
              </ul>
            </>
          )}
          {older.length > shown.length && (
            <button type="button" className="button" onClick={() => setShowAll(true)}>
              Show all {older.length} earlier checks
            </button>
          )}
        </>
      )}
    </section>
  );
}

function CheckSummary({ check, release }: { check: CheckView; release: ReleaseDetail }) {
  const verdict = VERDICTS[check.verdict];
  return (
    <>
      <span className={`badge ${verdict.badge}`}>{verdict.label}</span> {formatDateTime(check.at)},{" "}
      {stageName(check.stageIndex, stagePercent(release, check.stageIndex))}
    </>
  );
}

function CheckDetail({ check, release }: { check: CheckView; release: ReleaseDetail }) {
  const { stable, candidate } = release;
  const requests = (sample: CheckView["samples"]["stable"]) => (sample ? formatCount(sample.requests) : "no");
  return (
    <>
      <p className="small muted">
        Window {formatDateTime(check.window.from)} to {formatDateTime(check.window.to)}: {candidate} served {requests(check.samples.candidate)}{" "}
        requests, {stable} {requests(check.samples.stable)}.
      </p>
      {check.note && <p className="small">{check.note}</p>}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">SLO</th>
              <th scope="col">Verdict</th>
              <th scope="col" className="number">
                {candidate}
              </th>
              <th scope="col" className="number">
                {stable}
              </th>
              <th scope="col">Limit</th>
            </tr>
          </thead>
          <tbody>
            {check.results.map((result, i) => (
              <tr key={i}>
                <td>
                  <code>{result.rule}</code>
                  {result.note && <div className="small muted">{result.note}</div>}
                </td>
                <td>
                  <span className={`badge ${VERDICTS[result.verdict].badge}`}>{VERDICTS[result.verdict].label}</span>
                </td>
                <td className="number">{formatSli(result.slo.sli, result.candidate)}</td>
                <td className="number">{formatSli(result.slo.sli, result.stable)}</td>
                <td>{describeLimit(result)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

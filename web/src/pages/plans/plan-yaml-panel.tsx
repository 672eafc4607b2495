import { useState } from "react";
import { planYaml } from "./plan-data";
import type { PlanDocument } from "./plan-form";

/** The plan as a file to keep in a repository, with a button to copy it. */
export function PlanYamlPanel({ document, valid }: { document: PlanDocument; valid: boolean }) {
  const yaml = planYaml(document);
  const [copy, setCopy] = useState<{ yaml: string; outcome: "copied" | "failed" }>();
  // Said only while the text shown is the text copied.
  const copied = copy?.yaml === yaml ? copy.outcome : undefined;
  const copyYaml = async () => {
    try {
      await navigator.clipboard.writeText(yaml);
      setCopy({ yaml, outcome: "copied" });
    } catch {
      setCopy({ yaml, outcome: "failed" });
    }
  };
  return (
    <section aria-labelledby="yaml-heading" className="card plan-yaml">
      <div className="plan-yaml-header">
        <h2 id="yaml-heading">YAML</h2>
        <button type="button" className="button" onClick={() => void copyYaml()}>
          Copy YAML
        </button>
      </div>
      <p className="muted small">
        The plan as a file for your repository, e.g. <code>plans/{String(document.name || "my-plan")}.yaml</code>; run it with <code>glidepath rollout --plan</code>.
        {!valid && " It is not valid yet: fix the problems first."}
      </p>
      <textarea className="plan-yaml-text" readOnly value={yaml} rows={yaml.split("\n").length} wrap="off" spellCheck={false} aria-label="Plan as YAML" />
      <p role="status" className={copied === "failed" ? "field-error" : "muted small"}>
        {copied === "copied" && "Copied"}
        {copied === "failed" && "The browser did not allow copying; select the text and copy it."}
      </p>
    </section>
  );
}

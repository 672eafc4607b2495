import { useEffect, useRef, useState } from "react";
import type { Schemas } from "../../api/client";

/** The new token's secret, the only time the server gives it: copy it now or make another token. */
export function NewTokenSecret({ token, onDismiss }: { token: Schemas["CreatedApiToken"]; onDismiss(): void }) {
  const [copyStatus, setCopyStatus] = useState("");
  const panel = useRef<HTMLElement>(null);
  useEffect(() => panel.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopyStatus("Copied");
    } catch {
      setCopyStatus("Could not copy: select the token and copy it by hand.");
    }
  };
  return (
    <section ref={panel} tabIndex={-1} className="notice notice-warn new-token" aria-labelledby="new-token-title">
      <h3 id="new-token-title">Your new token {token.name}</h3>
      <p>
        <strong>Copy it now: it will not be shown again.</strong> Glidepath keeps only a hash of it. If it is lost, revoke it and
        create another.
      </p>
      <code className="new-token-secret">
        {token.token}
      </code>
      <div className="settings-form-actions">
        <button type="button" className="button primary" onClick={() => void copy()}>
          Copy token
        </button>
        <span role="status">{copyStatus}</span>
        <button type="button" className="button" onClick={onDismiss}>
          I have saved it
        </button>
      </div>
    </section>
  );
}

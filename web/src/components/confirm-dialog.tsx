import { useEffect, useId, useRef, useState, type ReactNode } from "react";

interface ConfirmDialogProps {
  /** The button that opens the dialog. */
  label: string;
  title: string;
  /** What will happen, to traffic above all, in a sentence or two. */
  consequence: ReactNode;
  confirmLabel: string;
  /** Ask for an optional reason, recorded with the action. */
  askReason?: boolean;
  /** Where the reason is kept, said in its label. */
  reasonLabel?: string;
  /** The confirm button warns: the action destroys or takes away. */
  danger?: boolean;
  /** How the opening button looks: plain beside others, primary as the page's main action, danger to stand out. */
  opener?: "plain" | "primary" | "danger";
  disabled?: boolean;
  onConfirm(reason: string | undefined): Promise<unknown>;
}

/**
 * A button whose action waits for a confirmation naming its consequence. The native modal dialog
 * traps focus, closes on Escape and returns focus to the button.
 */
export function ConfirmDialog({
  label,
  title,
  consequence,
  confirmLabel,
  askReason,
  reasonLabel = "Reason (optional, kept in the timeline and the audit log)",
  danger,
  opener = "plain",
  disabled,
  onConfirm,
}: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    if (open) dialog.current?.showModal();
    else dialog.current?.close();
  }, [open]);

  const confirm = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      await onConfirm(reason.trim() || undefined);
      setOpen(false);
      setReason("");
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className={opener === "plain" ? "button" : `button ${opener}`} disabled={disabled} onClick={() => {
          setFailure(undefined);
          setOpen(true);
        }}>
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} aria-describedby={bodyId} onClose={() => setOpen(false)} className="dialog">
        {open && (
          <form
            method="dialog"
            onSubmit={(event) => {
              event.preventDefault();
              void confirm();
            }}
          >
            <h2 id={titleId}>{title}</h2>
            <div id={bodyId}>{consequence}</div>
            {askReason && (
              <label className="field">
                <span>{reasonLabel}</span>
                <input value={reason} onChange={(event) => setReason(event.target.value)} maxLength={500} />
              </label>
            )}
            {failure && (
              <p className="notice notice-error" role="alert">
                {failure}
              </p>
            )}
            <div className="dialog-actions">
              <button type="button" className="button" onClick={() => setOpen(false)}>
                Keep as is
              </button>
              <button type="submit" className={danger ? "button danger" : "button primary"} disabled={busy}>
                {busy ? "Working…" : confirmLabel}
              </button>
            </div>
          </form>
        )}
      </dialog>
    </>
  );
}

import { ApiProblem } from "../api/client";

/** What went wrong, said where the user is looking and announced to screen readers. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const fields = error instanceof ApiProblem ? error.fields : [];
  return (
    <div className="notice notice-error" role="alert">
      {title && <strong>{title}: </strong>}
      {message}
      {fields.length > 1 && (
        <ul>
          {fields.map((field) => (
            <li key={field.field}>
              <code>{field.field}</code>: {field.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

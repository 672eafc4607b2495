/**
 * Whether a write broke a unique index (PostgreSQL's unique_violation), the one named
 * `constraint` when given. Drivers wrap the error, so its causes are followed.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let cause = error; typeof cause === "object" && cause !== null; cause = (cause as { cause?: unknown }).cause) {
    const { code, constraint: violated, message } = cause as { code?: unknown; constraint?: unknown; message?: unknown };
    const named = constraint === undefined || violated === constraint || (typeof message === "string" && message.includes(constraint));
    if (code === "23505" && named) return true;
  }
  return false;
}

/** Writes that may break a unique name index answer "name_taken" instead of throwing. */
export async function nameTakenAsValue<T>(write: () => Promise<T>): Promise<T | "name_taken"> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) return "name_taken";
    throw error;
  }
}

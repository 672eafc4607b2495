/** A mistake in how the simulator is driven (control API or in-process): answered with HTTP 400 or 404. */
export class ControlError extends Error {
  override name = "ControlError";
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
  }
}

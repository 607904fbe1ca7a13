/** An expected failure whose message is safe and useful to show to the user as-is. */
export class UserError extends Error {
  override name = "UserError";
  constructor(
    message: string,
    readonly status: number = 400,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

export class AuthRequiredError extends UserError {
  override name = "AuthRequiredError";
  constructor(message = "Please sign in to continue") {
    super(message, 401);
  }
}

export class ForbiddenError extends UserError {
  override name = "ForbiddenError";
  constructor(message = "You do not have permission to do this") {
    super(message, 403);
  }
}

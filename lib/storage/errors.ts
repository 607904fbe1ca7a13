/**
 * Failures of S3 calls, rebuilt from the SDK error: SDK errors carry the parsed response body,
 * which for signature errors includes the access key id and the string that was signed, and a
 * logger would serialize all of it. Only a cleaned message, the error code and status remain.
 *
 * Its own module, without the SDK: code that only needs to recognise the error (the step
 * runner's fault classification) must not load the AWS SDK into every worker that never uses S3.
 */
export class S3StoreError extends Error {
  override name = "S3StoreError";
  constructor(
    message: string,
    readonly code?: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

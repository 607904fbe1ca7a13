import { DrizzleQueryError } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { CsvFormatError } from "@/lib/csv/errors";
import { OutboundHttpError, OutboundIncompleteError } from "@/lib/net/errors";
import { S3StoreError } from "@/lib/storage/s3";
import { TransientStepError, describeFault, isDatabaseConnectionError, isTransientFault } from "@/lib/pipeline/faults";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("step faults", () => {
  it("a lost database connection, wrapped by drizzle or not, is transient and says so", () => {
    const shutdown = new DrizzleQueryError(
      "update relayboard.run_steps …",
      [],
      withCode("terminating connection due to administrator command", "57P01"),
    );
    expect(isDatabaseConnectionError(shutdown)).toBe(true);
    expect(isTransientFault(shutdown)).toBe(true);
    expect(describeFault(shutdown)).toEqual({ message: "The connection to the database was lost (57P01)", code: "database" });
    for (const code of ["ECONNREFUSED", "CONNECTION_CLOSED", "57P03", "08006"]) expect(isTransientFault(withCode("x", code))).toBe(true);
  });

  it("storage that cannot be reached is transient; storage that refuses is not; both name storage", () => {
    const refused = new S3StoreError('S3 put failed for "a.csv": connect ECONNREFUSED 127.0.0.1:9 (ECONNREFUSED)', "ECONNREFUSED");
    expect(isTransientFault(refused)).toBe(true);
    expect(isDatabaseConnectionError(refused)).toBe(false);
    expect(describeFault(refused)).toMatchObject({ message: `Object storage is unreachable: ${refused.message}`, code: "storage" });
    const denied = new S3StoreError('S3 put failed for "a.csv": Access Denied (AccessDenied, HTTP 403)', "AccessDenied", 403);
    expect(isTransientFault(denied)).toBe(false);
    expect(describeFault(denied).message).toMatch(/^Object storage refused the request: /);
    expect(isTransientFault(new S3StoreError("S3 get failed: (InternalError, HTTP 500)", "InternalError", 500))).toBe(true);
  });

  it("a source that broke off is transient; one that answered 404 or a bad file is not", () => {
    const cause = withCode("socket hang up", "ECONNRESET");
    const broken = new OutboundIncompleteError(10, 100, "http://127.0.0.1:1", { cause });
    expect(isTransientFault(broken)).toBe(true);
    // The socket code beneath an outbound failure is not the database's.
    expect(isDatabaseConnectionError(broken)).toBe(false);
    expect(describeFault(broken)).toMatchObject({ code: "incomplete" });
    expect(isTransientFault(new OutboundHttpError(404, {}, "", "http://127.0.0.1:1"))).toBe(false);
    expect(isTransientFault(new CsvFormatError("binary", "not a CSV"))).toBe(false);
    expect(isTransientFault(new Error("build scheduler stalled"))).toBe(false);
  });

  it("a step's own verdict carries its message", () => {
    const fault = { message: "Object storage is unreachable: …", code: "storage" };
    expect(isTransientFault(new TransientStepError(fault))).toBe(true);
    expect(describeFault(new TransientStepError(fault))).toBe(fault);
  });
});

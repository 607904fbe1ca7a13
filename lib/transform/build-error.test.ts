import { describe, expect, it } from "vitest";
import { describeBuildError } from "@/lib/transform/build";
import { CompileError } from "@/lib/transform/compile";
import { clipErrorText, ELLIPSIS, ERROR_TEXT_MAX_CHARS, QUOTED_VALUE_MAX_CHARS, QUOTED_VALUE_MAX_LINES } from "@/lib/transform/error-text";

/** Postgres errors as postgres.js throws them: code, message, detail, hint. */
function pgError(code: string, message: string, extra: { detail?: string; hint?: string } = {}) {
  return Object.assign(new Error(message), { code, ...extra });
}

const multiLine = Array.from({ length: 50 }, (_, i) => `secret line ${i + 1} of the cell`).join("\n");
const veryLong = `${"x".repeat(5_000)}TAIL-SECRET`;

/** The value between the first `open` after `prefix` and the last `close`. */
function quoted(text: string, prefix: string, close: string): string {
  expect(text.startsWith(prefix)).toBe(true);
  return text.slice(prefix.length, text.lastIndexOf(close));
}

describe("describeBuildError", () => {
  it("keeps the first 3 lines of a multi-line value in a cast error, marked as cut", () => {
    const err = pgError("22P02", `invalid input syntax for type integer: "${multiLine}"`);
    const { message } = describeBuildError(err);
    const value = quoted(message, 'invalid input syntax for type integer: "', '"');
    expect(value).toBe(`secret line 1 of the cell\nsecret line 2 of the cell\nsecret line 3 of the cell${ELLIPSIS}`);
    expect(message).not.toContain("secret line 4");
    expect(message.endsWith('"')).toBe(true);
  });

  it("keeps about 200 characters of a very long value", () => {
    const { message } = describeBuildError(pgError("22P02", `invalid input syntax for type integer: "${veryLong}"`));
    const value = quoted(message, 'invalid input syntax for type integer: "', '"');
    expect(value).toBe(`${"x".repeat(QUOTED_VALUE_MAX_CHARS)}${ELLIPSIS}`);
    expect(message).not.toContain("TAIL-SECRET");
  });

  it("clips the value in a unique violation's detail and a check violation's failing row", () => {
    const unique = describeBuildError(
      pgError("23505", 'duplicate key value violates unique constraint "t_pkey"', { detail: `Key (note)=(${multiLine}) already exists.` }),
    );
    expect(unique.message).toBe('duplicate key value violates unique constraint "t_pkey"');
    expect(quoted(unique.detail!, "Key (note)=(", ") already exists.").split("\n")).toHaveLength(QUOTED_VALUE_MAX_LINES);
    expect(unique.detail!.endsWith(`${ELLIPSIS}) already exists.`)).toBe(true);
    expect(unique.detail).not.toContain("secret line 4");

    const check = describeBuildError(
      pgError("23514", 'new row for relation "t" violates check constraint "c"', {
        detail: `Failing row contains (1, ${veryLong}, 3).`,
        hint: "Fix the row.",
      }),
    );
    expect(check.detail!.startsWith("Failing row contains (1, x")).toBe(true);
    expect(check.detail).toContain(`${ELLIPSIS}). Fix the row.`);
    expect(check.detail).not.toContain("TAIL-SECRET");
    expect(check.detail!.length).toBeLessThan(QUOTED_VALUE_MAX_CHARS + 60);
  });

  it("clips values in other messages, compile errors and non-database errors too", () => {
    const range = describeBuildError(pgError("22003", `value "${"9".repeat(3_000)}" is out of range for type integer`));
    expect(range.message).toBe(`value "${"9".repeat(QUOTED_VALUE_MAX_CHARS)}${ELLIPSIS}" is out of range for type integer`);
    const timeout = describeBuildError(pgError("57014", `canceling statement due to statement timeout "${veryLong}"`));
    expect(timeout.detail).not.toContain("TAIL-SECRET");
    const compile = describeBuildError(new CompileError(`unexpected "${multiLine}"`, 1, 2));
    expect(compile).toMatchObject({ line: 1, column: 2 });
    expect(compile.message).not.toContain("secret line 4");
    const plain = describeBuildError(new Error(`boom ${veryLong}`));
    expect(plain.message.length).toBeLessThanOrEqual(ERROR_TEXT_MAX_CHARS + ELLIPSIS.length);
    expect(plain.message.endsWith(ELLIPSIS)).toBe(true);
  });

  it("leaves ordinary errors as they were", () => {
    expect(describeBuildError(pgError("42703", 'column "amount" does not exist', { hint: 'Perhaps you meant "amount_usd".' }))).toEqual({
      message: 'column "amount" does not exist',
      detail: 'Perhaps you meant "amount_usd".',
    });
    expect(describeBuildError(pgError("22P02", 'invalid input syntax for type integer: "abc"')).message).toBe(
      'invalid input syntax for type integer: "abc"',
    );
    expect(clipErrorText("Key (a, b)=(1, two) already exists.")).toBe("Key (a, b)=(1, two) already exists.");
  });
});

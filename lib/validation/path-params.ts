import { z } from "zod";
import { DATASET_NAME_PATTERN } from "@/lib/validation/datasets";

/**
 * Names and ids as they arrive in a URL path segment (/v1/models/{name}, /datasets/[name]), checked
 * before any query uses them. Postgres refuses a NUL byte in text with an error, and a segment can
 * carry NUL (%00), a lone surrogate or a malformed escape (%E0%A4%A, %ff); none of them can be a
 * dataset or model name, so each is a plain "invalid name" here rather than a failed query later.
 */

/** Every dataset and model name matches this; checked by bytes, as PostgreSQL counts them. */
function isPlausibleName(value: string): boolean {
  return DATASET_NAME_PATTERN.test(value) && value.length <= 63;
}

/**
 * The name a path segment stands for, or null when it cannot be one. Next.js hands route params
 * over decoded; a still-encoded segment (some callers, older paths) is decoded once, and a
 * malformed escape is simply not a name.
 */
export function nameFromPathSegment(raw: string): string | null {
  if (isPlausibleName(raw)) return raw;
  if (!raw.includes("%")) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return isPlausibleName(decoded) ? decoded : null;
}

const NAME_MESSAGE = "Not a valid name: lowercase letters, digits and underscores, starting with a letter, at most 63 characters";

/** zod form of nameFromPathSegment, for route params: `params: z.object({ name: pathName })`. */
export const pathName = z.string().transform((raw, ctx) => {
  const name = nameFromPathSegment(raw);
  if (name === null) {
    ctx.addIssue({ code: "custom", message: NAME_MESSAGE });
    return z.NEVER;
  }
  return name;
});

/** Ids in paths are UUIDs; anything else (NUL bytes included) never reaches a uuid column. */
export const pathUuid = z.string().uuid("Not a valid id");

export function isPathUuid(raw: string): boolean {
  return pathUuid.safeParse(raw).success;
}

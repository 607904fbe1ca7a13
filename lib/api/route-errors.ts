import { NextResponse } from "next/server";
import { z } from "zod";
import { UserError } from "@/lib/errors";
import { getLogger } from "@/lib/log";

/** JSON error answers for the app's own route handlers: user errors as-is, anything else generic and logged. */
export function routeError(err: unknown, context: string): NextResponse {
  if (err instanceof UserError) {
    return NextResponse.json({ error: { message: err.message, fieldErrors: err.fieldErrors } }, { status: err.status });
  }
  if (err instanceof z.ZodError) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of err.issues) (fieldErrors[issue.path.join(".") || "_"] ??= []).push(issue.message);
    return NextResponse.json({ error: { message: "Please correct the highlighted fields", fieldErrors } }, { status: 400 });
  }
  getLogger().error({ err, route: context }, "route failed");
  return NextResponse.json({ error: { message: "Something went wrong on our side; it was logged" } }, { status: 500 });
}

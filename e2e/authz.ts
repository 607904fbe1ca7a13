import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";

/**
 * What the authorization matrix (12-authz-matrix.spec.ts) needs besides its table: the inventory of
 * route handlers and server actions read from the source tree and from the build, and a way to call
 * a server action over HTTP exactly as the browser does.
 */
export const ROOT = path.join(__dirname, "..");

const SKIP_DIRS = new Set(["node_modules", ".next", ".git", ".test-data", "test-results", "playwright-report", ".data"]);
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) walk(path.join(dir, entry.name), out);
    } else if (/\.(ts|tsx|js|mjs)$/.test(entry.name)) {
      out.push(path.join(dir, entry.name));
    }
  }
  return out;
}

const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

/** "app/(app)/x/[id]/route.ts" → "/x/[id]": route groups do not appear in the URL. */
function routePattern(file: string): string {
  const segments = relative(file)
    .split("/")
    .slice(1, -1)
    .filter((s) => !/^\(.*\)$/.test(s));
  return `/${segments.join("/")}`;
}

/** Every exported HTTP method of every app route handler, as "METHOD /pattern". */
export function discoverRoutes(): string[] {
  const keys: string[] = [];
  for (const file of walk(path.join(ROOT, "app"))) {
    if (!/\/route\.(ts|js)$/.test(file)) continue;
    const source = fs.readFileSync(file, "utf8");
    const methods = new Set<string>();
    for (const m of source.matchAll(/export\s+(?:async\s+)?(?:function|const|let|var)\s+([A-Z]+)\b/g)) methods.add(m[1]!);
    // export { handler as GET, POST }
    for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
      for (const part of m[1]!.split(","))
        methods.add(
          part
            .trim()
            .split(/\s+as\s+/)
            .at(-1)!
            .trim(),
        );
    }
    for (const method of methods) if (HTTP_METHODS.includes(method)) keys.push(`${method} ${routePattern(file)}`);
  }
  return keys.sort();
}

/** A file whose first statement is the "use server" directive. */
function isUseServerFile(source: string): boolean {
  return /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*["']use server["']/.test(source);
}

/**
 * Every exported function of every "use server" file in the project, as "file#name". Actions
 * declared inline ("use server" inside a function body) have no export name; the build's manifest
 * lists them, and the spec checks that too.
 */
export function discoverServerActions(): string[] {
  const keys: string[] = [];
  for (const file of walk(ROOT)) {
    const source = fs.readFileSync(file, "utf8");
    if (!isUseServerFile(source)) continue;
    const rel = relative(file);
    for (const m of source.matchAll(/export\s+(?:async\s+function\s+(\w+)|const\s+(\w+)\s*=\s*async\b)/g)) {
      keys.push(`${rel}#${m[1] ?? m[2]}`);
    }
    for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
      for (const part of m[1]!.split(","))
        if (part.trim())
          keys.push(
            `${rel}#${part
              .trim()
              .split(/\s+as\s+/)
              .at(-1)!
              .trim()}`,
          );
    }
  }
  return keys.sort();
}

export type BuiltAction = { id: string; page: string };

/**
 * The production build's server actions ("file#exportName" → id and a page that serves it), from
 * .next/server/server-reference-manifest.json: { node: { [id]: { workers: { "app/(app)/x/page": … },
 * filename, exportedName } } }. Dynamic segments of the page get a placeholder: the action runs
 * before (and, when nothing is revalidated, instead of) the page render.
 */
export function builtServerActions(): Map<string, BuiltAction> {
  const file = path.join(ROOT, ".next", "server", "server-reference-manifest.json");
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as {
    node: Record<string, { workers: Record<string, unknown>; filename?: string; exportedName?: string }>;
  };
  const actions = new Map<string, BuiltAction>();
  for (const [id, entry] of Object.entries(manifest.node)) {
    const worker = Object.keys(entry.workers)[0] ?? "app/page";
    const page =
      worker
        .replace(/^app/, "")
        .replace(/\/page$/, "")
        .split("/")
        .filter((s) => !/^\(.*\)$/.test(s))
        .map((s) => (/^\[.*\]$/.test(s) ? "authz-matrix" : s))
        .join("/") || "/";
    actions.set(`${entry.filename ?? "?"}#${entry.exportedName ?? id}`, { id, page });
  }
  return actions;
}

/** Arguments as the browser sends them: a FormData second argument (useActionState), or plain JSON values. */
export type ActionArgs = { form: Record<string, string> } | { json: unknown[] };

export type ActionAnswer = { status: number; result: unknown };

/**
 * Reads the action's return value from the RSC answer: row 0 is { a: "$@N", … } and row N holds
 * the value (or "E{…}" when the action threw or was refused before running).
 */
export function actionResultFromFlight(text: string): unknown {
  const rows = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+):(.*)$/.exec(line);
    if (m && !rows.has(m[1]!)) rows.set(m[1]!, m[2]!);
  }
  const root = rows.get("0");
  if (!root) return { unparsed: text.slice(0, 200) };
  const ref = /^\$@([0-9a-f]+)$/.exec(String((JSON.parse(root) as { a?: unknown }).a ?? ""))?.[1];
  const row = ref ? rows.get(ref) : undefined;
  if (row === undefined) return { unparsed: text.slice(0, 200) };
  if (row.startsWith("E")) return { thrown: JSON.parse(row.slice(1)) as unknown };
  return JSON.parse(row) as unknown;
}

/**
 * Calls a server action the way React's encodeReply does in the browser: POST to a page that
 * serves it with the Next-Action header; a FormData argument goes as multipart fields "_1_<key>"
 * referenced as "$K1" from the root row "0", which must come last (the server resolves row 0 as
 * soon as it arrives).
 */
export async function callAction(
  request: APIRequestContext,
  action: BuiltAction,
  args: ActionArgs,
  opts: { origin: string; headers?: Record<string, string> },
): Promise<ActionAnswer> {
  const headers: Record<string, string> = { "next-action": action.id, origin: opts.origin, accept: "text/x-component", ...opts.headers };
  let res;
  if ("form" in args) {
    const body = new FormData();
    for (const [key, value] of Object.entries(args.form)) body.append(`_1_${key}`, value);
    body.append("0", JSON.stringify([{ ok: false }, "$K1"]));
    res = await request.post(action.page, { headers, multipart: body, maxRedirects: 0 });
  } else {
    res = await request.post(action.page, {
      headers: { ...headers, "content-type": "text/plain;charset=UTF-8" },
      data: JSON.stringify(args.json),
      maxRedirects: 0,
    });
  }
  return { status: res.status(), result: actionResultFromFlight(await res.text()) };
}

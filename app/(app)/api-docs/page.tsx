import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/page-header";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API reference" };

type Operation = {
  summary?: string;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { description: string }>;
  security?: unknown[];
};

/** A readable rendering of the same OpenAPI document the API serves at /v1/openapi.json. */
export default async function ApiDocsPage() {
  await requireUser();
  const doc = buildOpenApiDocument();
  const paths = doc.paths as unknown as Record<string, Record<string, Operation>>;
  return (
    <>
      <PageHeader
        title="API reference"
        description="Send Authorization: Bearer <token> on every request except GET /health. The machine-readable document is GET /v1/openapi.json."
      />
      <p className="mb-4 text-sm">
        Create a token under{" "}
        <Link className="underline" href="/settings/tokens">
          Settings → API tokens
        </Link>
        . Errors always have the shape <code className="font-mono">{`{ "error": { "code", "message", "details"? } }`}</code>.
      </p>
      <div className="flex flex-col gap-3">
        {Object.entries(paths).map(([path, operations]) =>
          Object.entries(operations).map(([method, op]) => (
            <Card key={`${method} ${path}`}>
              <CardHeader>
                <CardTitle className="flex flex-wrap items-center gap-2 font-mono text-sm">
                  <Badge variant="secondary" className="uppercase">
                    {method}
                  </Badge>
                  <h2>{path}</h2>
                </CardTitle>
              </CardHeader>
              <CardContent className="flex flex-col gap-2 text-sm">
                <p>{op.summary}</p>
                {op.requestBody ? <p className="text-muted-foreground">Body: {Object.keys(op.requestBody.content).join(" or ")}</p> : null}
                <ul className="text-muted-foreground flex flex-wrap gap-x-4 gap-y-1">
                  {Object.entries(op.responses).map(([code, r]) => (
                    <li key={code}>
                      <span className="font-mono">{code}</span> {r.description}
                    </li>
                  ))}
                </ul>
              </CardContent>
            </Card>
          )),
        )}
      </div>
    </>
  );
}

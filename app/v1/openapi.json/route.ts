import { json, jsonRoute } from "@/lib/api/handler";
import { buildOpenApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-dynamic";

export const GET = jsonRoute({
  route: "GET /v1/openapi.json",
  role: "viewer",
  handle: async ({ request }) => json(200, buildOpenApiDocument(new URL(request.url).origin)),
});

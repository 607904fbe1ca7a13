import { describe, expect, it } from "vitest";
import { readJsonBody } from "@/lib/api/body";

const post = (body?: string, headers: Record<string, string> = {}) =>
  new Request("http://127.0.0.1/v1/x", { method: "POST", body, headers });

describe("readJsonBody", () => {
  it("reads no body as {}, with or without a Content-Type", async () => {
    expect(await readJsonBody(post())).toEqual({});
    expect(await readJsonBody(post(undefined, { "content-type": "application/json" }))).toEqual({});
    expect(await readJsonBody(post("", { "content-type": "application/json" }))).toEqual({});
    expect(await readJsonBody(post("", { "content-type": "application/x-www-form-urlencoded" }))).toEqual({});
  });

  it("reads JSON", async () => {
    expect(await readJsonBody(post('{"withDownstream":true}', { "content-type": "application/json; charset=utf-8" }))).toEqual({
      withDownstream: true,
    });
  });

  it("refuses a body that is not empty unless it is JSON (415), and broken JSON (400)", async () => {
    await expect(readJsonBody(post("a=1", { "content-type": "application/x-www-form-urlencoded" }))).rejects.toMatchObject({ status: 415 });
    await expect(readJsonBody(post('{"a":1}'))).rejects.toMatchObject({ status: 415 });
    await expect(readJsonBody(post("{not json", { "content-type": "application/json" }))).rejects.toMatchObject({ status: 400 });
  });

  it("refuses a body over the cap (413)", async () => {
    await expect(
      readJsonBody(post(JSON.stringify({ a: "x".repeat(100) }), { "content-type": "application/json" }), 50),
    ).rejects.toMatchObject({ status: 413 });
  });
});

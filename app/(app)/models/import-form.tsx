"use client";

import { useState, useTransition, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import Link from "next/link";
import { CircleAlertIcon, CircleCheckIcon, UploadIcon } from "lucide-react";
import { toast } from "sonner";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { describedBy, FieldErrors, FormError } from "@/components/form-messages";
import { readApiError } from "@/lib/api/error-answer";

type ImportResult = { imported: string[]; errors: { model: string; message: string }[] };

const MAX_BYTES = 10 * 1024 * 1024;

/** Posts a dbt project zip to /v1/models/import (field `file`) and lists what came in and what did not. */
export function ImportForm() {
  const router = useRouter();
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string>();
  const [fileError, setFileError] = useState<string[]>();
  const [pending, startTransition] = useTransition();

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const file = (form.elements.namedItem("file") as HTMLInputElement | null)?.files?.[0];
    setError(undefined);
    setResult(null);
    if (!file) {
      setFileError(["Choose a .zip file"]);
      return;
    }
    if (file.size > MAX_BYTES) {
      setFileError(["The zip is larger than 10 MiB"]);
      return;
    }
    setFileError(undefined);
    const body = new FormData();
    body.append("file", file);
    startTransition(async () => {
      try {
        const res = await fetch("/v1/models/import", { method: "POST", body });
        const json = (await res.json().catch(() => ({}))) as Partial<ImportResult>;
        if (!res.ok) {
          const problem = readApiError(json);
          setError(problem.message ?? `The import failed (HTTP ${res.status})`);
          setFileError(problem.fieldErrors?.file);
          return;
        }
        setResult({ imported: json.imported ?? [], errors: json.errors ?? [] });
        if (json.imported?.length) toast.success(`Imported ${json.imported.length} ${json.imported.length === 1 ? "model" : "models"}`);
        form.reset();
        router.refresh();
      } catch {
        setError("The upload did not reach the server; check your connection and try again.");
      }
    });
  };

  return (
    <section aria-labelledby="import-heading" className="flex flex-col gap-3">
      <h3 id="import-heading" className="text-sm font-semibold">
        Import dbt project
      </h3>
      <form onSubmit={onSubmit} noValidate className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <div className="flex flex-col gap-2 sm:w-96">
          <Label htmlFor="dbt-import-file">Project zip (models/*.sql and schema.yml, at most 10 MiB)</Label>
          <Input
            id="dbt-import-file"
            name="file"
            type="file"
            accept=".zip,application/zip"
            disabled={pending}
            aria-invalid={fileError?.length ? true : undefined}
            aria-describedby={describedBy(fileError?.length ? "dbt-import-file-error" : undefined)}
          />
        </div>
        <Button type="submit" variant="outline" disabled={pending}>
          <UploadIcon aria-hidden="true" />
          {pending ? "Importing…" : "Import dbt project"}
        </Button>
      </form>
      <FieldErrors id="dbt-import-file-error" errors={fileError} />
      <FormError message={error} />
      {result ? (
        <div className="flex flex-col gap-3" data-testid="import-result">
          <Alert>
            <CircleCheckIcon aria-hidden="true" />
            <AlertTitle>
              {result.imported.length
                ? `Imported ${result.imported.length} ${result.imported.length === 1 ? "model" : "models"}`
                : "Nothing was imported"}
            </AlertTitle>
            {result.imported.length ? (
              <AlertDescription>
                <ul className="flex flex-wrap gap-x-3 gap-y-1" data-testid="import-imported">
                  {result.imported.map((name) => (
                    <li key={name}>
                      <Link href={`/models/${encodeURIComponent(name)}`} className="text-foreground font-mono underline underline-offset-4">
                        {name}
                      </Link>
                    </li>
                  ))}
                </ul>
              </AlertDescription>
            ) : null}
          </Alert>
          {result.errors.length ? (
            <Alert variant="destructive" data-testid="import-errors">
              <CircleAlertIcon aria-hidden="true" />
              <AlertTitle>
                {result.errors.length} {result.errors.length === 1 ? "model was" : "models were"} not imported
              </AlertTitle>
              <AlertDescription>
                <ul className="flex flex-col gap-1">
                  {result.errors.map((e) => (
                    <li key={e.model} className="break-words">
                      <span className="font-mono font-medium">{e.model}</span>: {e.message}
                    </li>
                  ))}
                </ul>
              </AlertDescription>
            </Alert>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

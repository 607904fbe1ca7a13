"use client";

import { useLayoutEffect, useMemo, useRef, useState } from "react";
import { BracesIcon, CopyIcon, LoaderCircleIcon } from "lucide-react";
import { toast } from "sonner";
import type { SlackPayload } from "@/lib/slack/limits";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { describedBy, FieldErrors, FormError } from "@/components/form-messages";
import { SlackMessagePreview } from "@/components/destinations/slack-message-preview";
import { useLivePreview } from "@/components/live-preview/use-live-preview";
import { previewMessageAction } from "../actions";
import { NO_TABLE, splitColumns, TableFields, type TableChoice, type TableSource } from "./table-fields";

const DEBOUNCE_MS = 400;

const INITIAL_HEADER = "{{pipeline.name}}: {{run.status}}";
const INITIAL_TEXT = "Loaded *{{run.rows}}* rows into *{{dataset.name}}* ({{run.trigger}} run).\n<{{run.url}}|Open the run>";

type Field = "header" | "text";

/** A saved template to start from (a pipeline's message), instead of the example. */
export type InitialTemplate = {
  header?: string;
  text: string;
  table?: { model: string; columns?: string[]; sortBy?: string; sortDirection?: "asc" | "desc"; limit?: number };
};

function initialTable(table: InitialTemplate["table"]): TableChoice {
  if (!table) return NO_TABLE;
  return {
    model: table.model,
    columns: table.columns ?? [],
    columnsText: (table.columns ?? []).join(", "),
    sortBy: table.sortBy ?? "",
    sortDirection: table.sortDirection ?? "asc",
    limit: table.limit === undefined ? "" : String(table.limit),
  };
}

/** The template as messageTemplateInput expects it; empty optional parts are left out. */
function toTemplate(header: string, text: string, table: TableChoice, known: string[] | null) {
  const columns = known ? table.columns : splitColumns(table.columnsText);
  return {
    header: header.trim() ? header : undefined,
    text,
    table: table.model
      ? {
          model: table.model,
          columns: columns.length ? columns : undefined,
          sortBy: table.sortBy || undefined,
          sortDirection: table.sortBy ? table.sortDirection : undefined,
          limit: table.limit.trim() === "" ? undefined : Number(table.limit),
        }
      : undefined,
  };
}

export function TemplateEditor({
  sources,
  variables,
  samples,
  initial,
}: {
  sources: TableSource[];
  variables: string[];
  samples: Record<string, string>;
  initial?: InitialTemplate;
}) {
  const [header, setHeader] = useState(initial ? (initial.header ?? "") : INITIAL_HEADER);
  const [text, setText] = useState(initial ? initial.text : INITIAL_TEXT);
  const [table, setTable] = useState<TableChoice>(() => initialTable(initial?.table));
  const headerRef = useRef<HTMLInputElement>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const lastField = useRef<Field>("text");
  const caret = useRef<{ field: Field; at: number } | null>(null);

  const known = sources.find((s) => s.name === table.model)?.columns ?? null;
  const template = useMemo(() => toTemplate(header, text, table, known), [header, text, table, known]);
  const key = JSON.stringify(template);

  // Live preview: one request per pause in typing; an answer to an older request is dropped.
  const { result, waiting } = useLivePreview<SlackPayload>(key, previewMessageAction, { delayMs: DEBOUNCE_MS });

  // After a variable is inserted, put the cursor right behind it in the field it went into.
  useLayoutEffect(() => {
    const target = caret.current;
    if (!target) return;
    caret.current = null;
    const el = target.field === "header" ? headerRef.current : textRef.current;
    el?.focus();
    el?.setSelectionRange(target.at, target.at);
  });

  const insertVariable = (variable: string) => {
    const token = `{{${variable}}}`;
    const field = lastField.current;
    const el = field === "header" ? headerRef.current : textRef.current;
    const value = field === "header" ? header : text;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    const next = value.slice(0, start) + token + value.slice(end);
    if (field === "header") setHeader(next);
    else setText(next);
    caret.current = { field, at: start + token.length };
  };

  const fieldErrors = result && !result.ok ? result.fieldErrors : undefined;
  const payload = result?.ok ? result.data : null;
  const json = payload ? JSON.stringify(payload, null, 2) : "";
  const blockCount = payload?.blocks?.length ?? 0;

  return (
    <div className="grid grid-cols-1 items-start gap-6 lg:grid-cols-2">
      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>
            <h2>Template</h2>
          </CardTitle>
          <CardDescription>The template&apos;s own text is Slack mrkdwn: *bold*, _italic_, &lt;url|label&gt; links.</CardDescription>
        </CardHeader>
        <CardContent>
          <form className="flex flex-col gap-6" onSubmit={(e) => e.preventDefault()} aria-label="Message template">
            <div className="flex flex-col gap-2">
              <Label htmlFor="template-header">Header (optional)</Label>
              <Input
                ref={headerRef}
                id="template-header"
                value={header}
                maxLength={300}
                autoComplete="off"
                onChange={(e) => setHeader(e.target.value)}
                onFocus={() => (lastField.current = "header")}
                aria-invalid={fieldErrors?.header?.length ? true : undefined}
                aria-describedby={describedBy(fieldErrors?.header?.length ? "template-header-error" : undefined, "template-header-hint")}
              />
              <p id="template-header-hint" className="text-muted-foreground text-xs">
                Plain text in bold; Slack cuts it at 150 characters.
              </p>
              <FieldErrors id="template-header-error" errors={fieldErrors?.header} />
            </div>

            <div className="flex flex-col gap-2">
              <Label htmlFor="template-text">Text</Label>
              <Textarea
                ref={textRef}
                id="template-text"
                value={text}
                rows={6}
                maxLength={3000}
                spellCheck
                onChange={(e) => setText(e.target.value)}
                onFocus={() => (lastField.current = "text")}
                className="min-h-32 font-mono text-sm"
                aria-invalid={fieldErrors?.text?.length ? true : undefined}
                aria-describedby={describedBy(fieldErrors?.text?.length ? "template-text-error" : undefined, "template-variables-hint")}
              />
              <FieldErrors id="template-text-error" errors={fieldErrors?.text} />
              <div role="group" aria-labelledby="template-variables-label" className="flex flex-col gap-2">
                <p id="template-variables-label" className="text-sm font-medium">
                  Variables
                </p>
                <p id="template-variables-hint" className="text-muted-foreground text-xs">
                  Click one to insert it at the cursor, in the header or the text, whichever you used last. The preview fills them with
                  sample values.
                </p>
                <ul className="flex flex-wrap gap-1.5">
                  {variables.map((variable) => (
                    <li key={variable}>
                      <Button
                        type="button"
                        variant="secondary"
                        size="sm"
                        className="h-7 rounded-full px-2.5 font-mono text-xs"
                        title={samples[variable] ? `Sample: ${samples[variable]}` : undefined}
                        onMouseDown={(e) => e.preventDefault() /* keep the field's cursor where it is */}
                        onClick={() => insertVariable(variable)}
                      >
                        <span className="sr-only">Insert </span>
                        {`{{${variable}}}`}
                      </Button>
                    </li>
                  ))}
                </ul>
              </div>
            </div>

            <TableFields sources={sources} value={table} onChange={setTable} errors={fieldErrors} />
          </form>
        </CardContent>
      </Card>

      <Card className="min-w-0 lg:sticky lg:top-20">
        <CardHeader>
          <CardTitle>
            <h2>Preview</h2>
          </CardTitle>
          <CardDescription>Exactly what the sender posts, rendered roughly as Slack shows it.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <p
            role="status"
            aria-live="polite"
            className="text-muted-foreground flex min-h-5 items-center gap-1.5 text-xs"
            data-testid="preview-status"
          >
            {waiting ? (
              <>
                <LoaderCircleIcon aria-hidden="true" className="size-3.5 animate-spin motion-reduce:animate-none" />
                Updating the preview…
              </>
            ) : payload ? (
              `Up to date: ${blockCount} ${blockCount === 1 ? "block" : "blocks"}, ${json.length.toLocaleString("en-US")} characters of JSON.`
            ) : (
              "No preview until the problem below is fixed."
            )}
          </p>

          {result && !result.ok ? (
            <FormError message={result.formError ?? "The preview could not be rendered"} className="whitespace-normal" />
          ) : null}

          {payload ? (
            <>
              <SlackMessagePreview
                payload={payload}
                time="now"
                testId="message-preview"
                className={waiting ? "opacity-70 transition-opacity" : "transition-opacity"}
              />
              <details className="rounded-md border">
                <summary className="focus-visible:ring-ring/50 flex cursor-pointer items-center gap-2 rounded-md px-3 py-2 text-sm font-medium outline-none focus-visible:ring-[3px]">
                  <BracesIcon aria-hidden="true" className="size-4" />
                  Block Kit JSON
                </summary>
                <div className="flex flex-col gap-2 border-t p-3">
                  <Button
                    type="button"
                    variant="outline"
                    size="sm"
                    className="self-end"
                    onClick={() =>
                      navigator.clipboard
                        .writeText(json)
                        .then(() => toast.success("Copied the Block Kit JSON"))
                        .catch(() => toast.error("Could not copy; select the text instead"))
                    }
                  >
                    <CopyIcon aria-hidden="true" />
                    Copy JSON
                  </Button>
                  <pre
                    data-testid="preview-json"
                    tabIndex={0}
                    aria-label="Block Kit JSON"
                    className="bg-muted/50 focus-visible:ring-ring/50 max-h-96 overflow-auto rounded p-3 font-mono text-xs leading-relaxed outline-none focus-visible:ring-[3px]"
                  >
                    {json}
                  </pre>
                </div>
              </details>
            </>
          ) : null}
        </CardContent>
      </Card>
    </div>
  );
}

"use client";

import { useCallback, useEffect, useMemo, useRef, useState, useTransition, type FormEvent, type KeyboardEvent } from "react";
import { useRouter } from "next/navigation";
import { EyeIcon, HammerIcon, NetworkIcon, SaveIcon, WandSparklesIcon } from "lucide-react";
import { toast } from "sonner";
import type { Materialization } from "@/db/schema/models";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { describedBy, FieldErrors, FormError } from "@/components/form-messages";
import { testCounts } from "@/lib/transform/test-severity";
import { TextField } from "@/components/text-field";
import type { BuildView } from "@/components/models/build-view";
import { errorPosition } from "@/components/models/format";
import { SqlEditor } from "@/components/models/sql-editor";
import type { CompletionData } from "@/components/models/sql-completion";
import {
  buildModelAction,
  compileModelAction,
  previewModelAction,
  saveModelAction,
  type CompileOutput,
  type PreviewOutput,
  type SavedModel,
} from "./actions";
import { BuildPanel, useLatestBuild } from "./build-panel";
import { ColumnDescriptionsEditor } from "./column-descriptions-editor";
import {
  descriptionsToDrafts,
  draftsToDescriptions,
  draftToTest,
  errorsUnder,
  parseUniqueKey,
  sameContent,
  snapshotToDraft,
  draftToSnapshot,
  type SnapshotDraft,
  testToDraft,
  type DescriptionDraft,
  type ModelContent,
  type TestDraft,
} from "./editor-state";
import { ResultsPane, type ResultTab, type SqlError } from "./editor-results";
import { ModelSettings } from "./model-settings";
import { RevisionsPanel, type RevisionView } from "./revisions-panel";
import { TestsEditor } from "./tests-editor";

type Op = "compile" | "preview" | "save" | "build" | "build-downstream";

const NEW_MODEL_SQL = "select\n  *\nfrom {{ ref('') }}\n";

function sqlErrorFrom(message: string): SqlError {
  const at = errorPosition(message);
  return { message, line: at?.line ?? 0, column: at?.column };
}

/**
 * The model editor, for a new model (model = null) and an existing one. Viewers get the same
 * page read-only: no actions, the SQL and every field shown but not editable.
 */
export function ModelEditor({
  model,
  canEdit,
  completion,
  revisions = [],
  latestBuild = null,
  latestBatch = [],
  modelColumns = [],
  timeoutSeconds,
  initialSql,
}: {
  timeoutSeconds?: number;
  /** A new model's starting SQL (models/new?ref=…); the empty ref otherwise. */
  initialSql?: string;
  model: SavedModel | null;
  canEdit: boolean;
  completion: CompletionData;
  revisions?: RevisionView[];
  latestBuild?: BuildView | null;
  latestBatch?: BuildView[];
  modelColumns?: string[];
}) {
  const router = useRouter();
  const isNew = model === null;
  const readOnly = !canEdit;

  const [name, setName] = useState(model?.name ?? "");
  const [description, setDescription] = useState(model?.description ?? "");
  const [materialization, setMaterialization] = useState<Materialization>(model?.materialization ?? "view");
  const [uniqueKeyText, setUniqueKeyText] = useState((model?.uniqueKey ?? []).join(", "));
  const [snapshotDraft, setSnapshotDraft] = useState<SnapshotDraft>(() => snapshotToDraft(model?.snapshot));
  const [sql, setSql] = useState(model?.sql ?? initialSql ?? NEW_MODEL_SQL);
  const [tests, setTests] = useState<TestDraft[]>(() => (model?.tests ?? []).map((t, i) => testToDraft(t, i)));
  const [descriptions, setDescriptions] = useState<DescriptionDraft[]>(() => descriptionsToDrafts(model?.columnDescriptions ?? {}));
  const keyCounter = useRef(100_000);
  const nextKey = useCallback(() => keyCounter.current++, []);

  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>();
  const [formError, setFormError] = useState<string>();
  const [sqlError, setSqlError] = useState<SqlError | null>(null);
  const [compiled, setCompiled] = useState<CompileOutput | null>(null);
  const [preview, setPreview] = useState<PreviewOutput | null>(null);
  const [previewError, setPreviewError] = useState<string>();
  const [status, setStatus] = useState("");
  const [tab, setTab] = useState<ResultTab>("results");
  // True once the SQL was edited after the results, errors or compiled SQL on show were made.
  const [edited, setEdited] = useState(false);
  // The model's columns as last resolved (compile, preview), else as built: the tests pick from them.
  const [resolvedColumns, setResolvedColumns] = useState<string[] | null>(null);
  const columns = useMemo(() => [...new Set(resolvedColumns ?? modelColumns)], [resolvedColumns, modelColumns]);
  const paneRef = useRef<HTMLElement>(null);
  const [op, setOp] = useState<Op | null>(null);
  const [pending, startTransition] = useTransition();
  const busy = pending && op !== null;

  const live = useLatestBuild(model?.name ?? "", { build: latestBuild, batch: latestBatch });

  const content: ModelContent = useMemo(
    () => ({
      description,
      sql,
      materialization,
      uniqueKey: parseUniqueKey(uniqueKeyText),
      snapshot: materialization === "snapshot" ? draftToSnapshot(snapshotDraft) : null,
      columnDescriptions: draftsToDescriptions(descriptions),
      tests: tests.map(draftToTest),
    }),
    [description, sql, materialization, uniqueKeyText, snapshotDraft, descriptions, tests],
  );
  const savedContent: ModelContent | null = model
    ? {
        description: model.description,
        sql: model.sql,
        materialization: model.materialization,
        uniqueKey: model.uniqueKey,
        snapshot: model.snapshot,
        columnDescriptions: model.columnDescriptions,
        tests: model.tests,
      }
    : null;
  const dirty = savedContent ? !sameContent(content, savedContent) : true;

  // Leaving with unsaved edits asks first (the browser's own prompt).
  useEffect(() => {
    if (!canEdit || !dirty || isNew) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [canEdit, dirty, isNew]);

  // The SQL as it is now, for answers that arrive after an edit (see staleAnswer).
  const currentSql = useRef(sql);
  useEffect(() => {
    currentSql.current = sql;
  }, [sql]);
  /** An answer for SQL that has been edited since it was asked for is dropped, never shown. */
  const staleAnswer = (asked: string, what: string) => {
    if (currentSql.current === asked) return false;
    setStatus(`The SQL changed while the ${what} ran; run it again.`);
    return true;
  };

  // Results of other SQL are never shown beside this SQL: an edit clears them (and says so).
  const onSqlChange = (next: string) => {
    setSql(next);
    if (compiled || preview || sqlError || previewError) {
      setCompiled(null);
      setPreview(null);
      setEdited(true);
    }
  };

  // Wide screens show the pane beside the editor; narrow ones stack it below, so bring it up.
  const show = (which: ResultTab) => {
    setTab(which);
    setEdited(false);
    if (window.matchMedia("(max-width: 1023px)").matches) {
      requestAnimationFrame(() => paneRef.current?.scrollIntoView({ block: "start", behavior: "smooth" }));
    }
  };

  const run = (which: Op, body: () => Promise<void>) => {
    setOp(which);
    startTransition(async () => {
      try {
        await body();
      } finally {
        setOp(null);
      }
    });
  };

  const compile = () =>
    run("compile", async () => {
      const asked = sql;
      const result = await compileModelAction({ name, sql: asked, materialization });
      if (staleAnswer(asked, "compile")) return;
      if (result.ok) {
        setCompiled(result.data);
        setSqlError(null);
        setPreviewError(undefined);
        setFormError(undefined);
        if (result.data.columns.length) setResolvedColumns(result.data.columns);
        setStatus(result.data.unchecked ? "Compiled; column names not checked." : "Compiled without errors.");
        show("compiled");
      } else {
        setCompiled(null);
        const message = result.fieldErrors?.sql?.[0];
        if (message) {
          setSqlError(sqlErrorFrom(message));
          show("errors");
        } else setFormError(result.formError);
        setStatus("Compile failed.");
      }
    });

  const runPreview = () =>
    run("preview", async () => {
      const asked = sql;
      const result = await previewModelAction({ name, sql: asked });
      if (staleAnswer(asked, "preview")) return;
      if (result.ok) {
        setPreview(result.data);
        setPreviewError(undefined);
        setSqlError(null);
        if (result.data.columns.length) setResolvedColumns(result.data.columns);
        setStatus(`Preview ready: ${result.data.rows.length} ${result.data.rows.length === 1 ? "row" : "rows"}.`);
        show("results");
      } else {
        setPreview(null);
        const message = result.fieldErrors?.sql?.[0];
        if (message) {
          setSqlError(sqlErrorFrom(message));
          setPreviewError(undefined);
        } else setPreviewError(result.formError ?? "The preview failed");
        setStatus("Preview failed.");
        show("errors");
      }
    });

  const applySaved = useCallback((saved: SavedModel) => {
    setDescription(saved.description);
    setSql(saved.sql);
    setCompiled(null);
    setPreview(null);
    setPreviewError(undefined);
    setMaterialization(saved.materialization);
    setUniqueKeyText(saved.uniqueKey.join(", "));
    if (saved.snapshot) setSnapshotDraft(snapshotToDraft(saved.snapshot));
    setTests(saved.tests.map((t, i) => testToDraft(t, i)));
    setDescriptions(descriptionsToDrafts(saved.columnDescriptions));
    setFieldErrors(undefined);
    setFormError(undefined);
    setSqlError(null);
  }, []);

  const save = () => {
    // An unnamed column would be saved under the empty name; ask for it here instead.
    if (descriptions.some((d) => !d.column.trim() && d.description.trim())) {
      setFieldErrors({ columnDescriptions: ["Name the column of every description, or remove the row"] });
      setFormError("Please correct the highlighted fields");
      return;
    }
    saveNow();
  };
  const saveNow = () =>
    run("save", async () => {
      const result = await saveModelAction({ isNew, model: { name: isNew ? name : model.name, ...content } });
      if (result.ok) {
        setFieldErrors(undefined);
        setFormError(undefined);
        setSqlError(null);
        toast.success(`Saved revision ${result.data.revision}`);
        setStatus(`Saved revision ${result.data.revision}.`);
        if (isNew) router.push(`/models/${encodeURIComponent(result.data.name)}`);
        else router.refresh();
      } else {
        setFieldErrors(result.fieldErrors);
        const message = result.fieldErrors?.sql?.[0];
        setSqlError(message ? sqlErrorFrom(message) : null);
        if (message) show("errors");
        setFormError(message && result.formError === message ? undefined : result.formError);
        setStatus("Not saved; see the messages.");
      }
    });

  const build = (withDownstream: boolean) =>
    run(withDownstream ? "build-downstream" : "build", async () => {
      if (!model) return;
      const result = await buildModelAction({ name: model.name, withDownstream });
      if (result.ok) {
        live.follow(result.data.previousBuildId);
        setFormError(undefined);
        setTab("tests");
        setStatus(withDownstream ? "Build with downstream queued." : "Build queued.");
      } else {
        setFormError(result.formError ?? "Could not start the build");
      }
    });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (canEdit && !busy) save();
  };
  // Ctrl/⌘+S saves, Ctrl/⌘+Enter previews: the two things done most while writing SQL.
  const onKeyDown = (e: KeyboardEvent) => {
    // The SQL editor handles Ctrl+Enter itself (and marks the event handled).
    if (e.defaultPrevented || !canEdit || busy || !(e.ctrlKey || e.metaKey)) return;
    if (e.key === "s") {
      e.preventDefault();
      save();
    } else if (e.key === "Enter") {
      e.preventDefault();
      runPreview();
    }
  };

  const buildBlocked = isNew
    ? "Save the model before building it."
    : dirty
      ? "Builds use the saved revision: save your edits first."
      : undefined;
  const sqlFieldError = fieldErrors?.sql?.length && !sqlError ? fieldErrors.sql : undefined;
  const relationNames = useMemo(() => [...completion.models, ...completion.datasets].sort(), [completion]);

  return (
    <form
      onSubmit={onSubmit}
      onKeyDown={onKeyDown}
      noValidate
      className="flex flex-col gap-6"
      aria-label={isNew ? "New model" : `Model ${model.name}`}
    >
      {canEdit ? (
        <div className="bg-background/95 supports-[backdrop-filter]:bg-background/80 z-30 -mx-1 flex flex-col gap-2 rounded-lg border px-3 py-2 backdrop-blur md:sticky md:top-14">
          <div className="flex flex-wrap items-center gap-2">
            <Button type="button" variant="outline" onClick={compile} disabled={busy}>
              <WandSparklesIcon aria-hidden="true" />
              {op === "compile" ? "Compiling…" : "Compile"}
            </Button>
            <Button type="button" variant="outline" onClick={runPreview} disabled={busy}>
              <EyeIcon aria-hidden="true" />
              {op === "preview" ? "Running…" : "Preview"}
            </Button>
            <Button type="submit" disabled={busy}>
              <SaveIcon aria-hidden="true" />
              {op === "save" ? "Saving…" : "Save"}
            </Button>
            <span className="bg-border mx-1 hidden h-6 w-px sm:block" aria-hidden="true" />
            <Button
              type="button"
              variant="secondary"
              onClick={() => build(false)}
              disabled={busy || Boolean(buildBlocked) || live.following}
              aria-describedby={buildBlocked ? "build-blocked" : undefined}
            >
              <HammerIcon aria-hidden="true" />
              {op === "build" ? "Queuing…" : "Build"}
            </Button>
            <Button
              type="button"
              variant="secondary"
              onClick={() => build(true)}
              disabled={busy || Boolean(buildBlocked) || live.following}
              aria-describedby={buildBlocked ? "build-blocked" : undefined}
            >
              <NetworkIcon aria-hidden="true" />
              {op === "build-downstream" ? "Queuing…" : "Build with downstream"}
            </Button>
          </div>
          <div className="text-muted-foreground flex flex-wrap gap-x-4 gap-y-1 text-xs">
            <span data-testid="save-state">
              {isNew ? "Not saved yet" : dirty ? "Unsaved changes" : `Saved: revision ${model.revision}`}
            </span>
            {buildBlocked ? <span id="build-blocked">{buildBlocked}</span> : null}
            <span className="hidden sm:inline">Ctrl+S saves, Ctrl+Enter previews.</span>
          </div>
          <p role="status" className="sr-only">
            {status}
          </p>
        </div>
      ) : null}

      <FormError message={formError} />

      {/* The editor and what it answers side by side from 1024 px, stacked below that. */}
      <div className="grid min-w-0 gap-4 lg:grid-cols-2 lg:items-start">
        <Card className="min-w-0 gap-4 py-4">
          <CardHeader className="px-4">
            <CardTitle>
              <h2 id="model-sql-label">SQL</h2>
            </CardTitle>
            <CardDescription id="model-sql-hint">
              One SELECT. <code className="font-mono">{"{{ ref('name') }}"}</code> reads a model or a dataset&apos;s typed table,{" "}
              <code className="font-mono">{"{{ source('dataset') }}"}</code> its raw text load,{" "}
              <code className="font-mono">{"{{ this }}"}</code> the model itself.
              {readOnly ? "" : " Ctrl+Space completes names and columns; Tab moves on."}
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-3 px-4">
            {isNew ? (
              <TextField
                id="model-name"
                name="name"
                label="Name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                autoComplete="off"
                spellCheck={false}
                required
                hint="Lowercase letters, digits and underscores, starting with a letter: the relation's name in the warehouse."
                errors={fieldErrors?.name}
              />
            ) : null}
            <SqlEditor
              id="model-sql"
              value={sql}
              onChange={readOnly ? undefined : onSqlChange}
              completion={completion}
              labelledBy="model-sql-label"
              describedBy={describedBy("model-sql-hint", sqlError && "compile-error")}
              error={sqlError && sqlError.line > 0 && !edited ? sqlError : null}
              readOnly={readOnly}
              invalid={Boolean(sqlError) && !edited}
              minHeight="18rem"
              onRun={canEdit && !busy ? runPreview : undefined}
            />
            <FieldErrors id="model-sql-error" errors={sqlFieldError} />
          </CardContent>
        </Card>

        <ResultsPane
          ref={paneRef}
          tab={tab}
          onTab={setTab}
          preview={preview}
          compiled={compiled}
          sqlError={sqlError}
          previewError={previewError}
          edited={edited}
          testsFailing={Boolean(live.build && testCounts(live.build.testResults).failed)}
          tests={
            isNew ? (
              <p className="text-muted-foreground text-sm">
                Save the model, then Build it: the data tests below run after every build, and their results show here.
              </p>
            ) : (
              <div className="flex flex-col gap-3">
                <h2 className="text-sm font-semibold">Last build</h2>
                <BuildPanel
                  name={model.name}
                  build={live.build}
                  batch={live.batch}
                  awaitingWorker={live.awaitingWorker}
                  slow={live.slow}
                  timeoutSeconds={timeoutSeconds}
                  columns={columns}
                />
              </div>
            )
          }
        />
      </div>

      <ModelSettings
        readOnly={readOnly}
        fieldErrors={fieldErrors}
        description={description}
        onDescription={setDescription}
        materialization={materialization}
        onMaterialization={setMaterialization}
        uniqueKeyText={uniqueKeyText}
        onUniqueKeyText={setUniqueKeyText}
        snapshotDraft={snapshotDraft}
        onSnapshotDraft={setSnapshotDraft}
      />

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Data tests</h2>
          </CardTitle>
          <CardDescription>Checked after every build, against the built relation.</CardDescription>
        </CardHeader>
        <CardContent>
          <TestsEditor
            tests={tests}
            onChange={setTests}
            readOnly={readOnly}
            errorsFor={(i) => errorsUnder(fieldErrors, `tests.${i}`)}
            columns={columns}
            relations={relationNames}
            nextKey={nextKey}
          />
          <FieldErrors id="tests-error" errors={fieldErrors?.tests} className="mt-2" />
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Column descriptions</h2>
          </CardTitle>
          <CardDescription>Optional notes on what a column means; they go along in the dbt export.</CardDescription>
        </CardHeader>
        <CardContent>
          <ColumnDescriptionsEditor
            rows={descriptions}
            onChange={setDescriptions}
            readOnly={readOnly}
            errors={errorsUnder(fieldErrors, "columnDescriptions")}
            nextKey={nextKey}
          />
        </CardContent>
      </Card>

      {isNew ? null : (
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Revisions</h2>
            </CardTitle>
            <CardDescription>Every save is a revision; compare any of them with the current one, or restore it.</CardDescription>
          </CardHeader>
          <CardContent>
            <RevisionsPanel
              name={model.name}
              revisions={revisions}
              current={content}
              currentRevision={model.revision}
              dirty={dirty}
              canEdit={canEdit}
              onRestored={(saved) => {
                applySaved(saved);
                router.refresh();
              }}
            />
          </CardContent>
        </Card>
      )}
    </form>
  );
}

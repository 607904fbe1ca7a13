"use client";

import { startTransition, useActionState, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { FileTextIcon, LinkIcon, UploadIcon, XIcon } from "lucide-react";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { describedBy, FieldErrors, FormError } from "@/components/form-messages";
import { FileDropZone } from "@/components/file-drop-zone";
import { TextField } from "@/components/text-field";
import { checkDatasetNameAction, createUrlDatasetAction } from "../actions";
import { groupFieldErrors, OPTION_FIELDS, optionsFromFormData } from "../dataset-options";
import { formatBytes } from "@/lib/format";
import { UploadProgressBar } from "../upload-progress";
import { uploadWithProgress, type UploadProgress } from "../xhr-upload";
import { parsePreview, readHeadText, type HeadText } from "./csv-preview";
import { FilePreview } from "./file-preview";
import { DEFAULT_OPTIONS, OptionsFields, type OptionValues } from "./options-fields";
import { datasetNameProblem, nameSourceFromUrl, suggestDatasetName } from "./suggest-name";

type Source = "url" | "upload";
type Errors = { formError?: string; fieldErrors: Record<string, string[]> };
type UploadCreated = { dataset: { id: string; name: string } };

const KNOWN_FIELDS = ["name", "csvUrl", "file", ...OPTION_FIELDS];
const ACCEPT = ".csv,.tsv,.txt,.psv,text/csv,text/plain,text/tab-separated-values";
/** Wait for a pause in typing before asking whether the name is free. */
const NAME_CHECK_DELAY_MS = 300;

function toErrors(formError: string | undefined, fieldErrors: Record<string, string[]> | undefined): Errors {
  const grouped = groupFieldErrors(fieldErrors, KNOWN_FIELDS);
  const { _form: unplaced, ...rest } = grouped;
  const extra = unplaced?.join(" ");
  // A message already shown beside its field is not repeated at the top.
  const shown = new Set(Object.values(rest).flat());
  const top = formError && !shown.has(formError) ? formError : undefined;
  return { formError: [top, extra].filter(Boolean).join(" ") || undefined, fieldErrors: rest };
}

export function NewDatasetForm({ maxUploadBytes }: { maxUploadBytes?: number }) {
  const router = useRouter();
  const [source, setSource] = useState<Source>("url");
  const [name, setName] = useState("");
  const [nameEdited, setNameEdited] = useState(false);
  const [csvUrl, setCsvUrl] = useState("");
  const [options, setOptions] = useState<OptionValues>(DEFAULT_OPTIONS);

  const [file, setFile] = useState<File | null>(null);
  const [head, setHead] = useState<{ file: File; encoding: string; text: HeadText } | null>(null);
  const [headError, setHeadError] = useState<string | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [uploadErrors, setUploadErrors] = useState<Errors | null>(null);
  const abortRef = useRef<AbortController | null>(null);

  const [nameTaken, setNameTaken] = useState<{ name: string; message: string } | null>(null);

  const [urlState, urlAction, urlPending] = useActionState(createUrlDatasetAction, { ok: false } as ActionResult<{ name: string }>);

  // Ask whether the name is free once typing pauses; the server checks again on submit.
  useEffect(() => {
    const candidate = name.trim();
    if (datasetNameProblem(candidate)) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      checkDatasetNameAction({ name: candidate })
        .then((answer) => {
          if (cancelled || !answer.ok) return;
          const by = answer.data.takenBy;
          setNameTaken(by ? { name: candidate, message: `The name ${candidate} is taken${by === "model" ? " by a model" : ""}` } : null);
        })
        .catch(() => {}); // only a hint: the submit answers for real
    }, NAME_CHECK_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [name]);

  // Read the head again when the file or the chosen encoding changes; parsing is cheap and
  // follows the delimiter and header options below.
  useEffect(() => {
    if (!file) return;
    let cancelled = false;
    readHeadText(file, options.encoding.trim() || undefined)
      .then((text) => {
        if (!cancelled) {
          setHead({ file, encoding: options.encoding, text });
          setHeadError(null);
        }
      })
      .catch(() => {
        if (!cancelled) setHeadError("This file could not be read in the browser; it can still be uploaded.");
      });
    return () => {
      cancelled = true;
    };
  }, [file, options.encoding]);

  const preview = useMemo(() => {
    if (!head || head.file !== file) return null;
    const delimiter = options.delimiter === "auto" ? undefined : options.delimiter === "tab" ? "\t" : options.delimiter;
    const header = options.header === "auto" ? undefined : options.header === "yes";
    const headerLine = Number(options.headerLine) > 0 ? Number(options.headerLine) : undefined;
    return parsePreview(head.text, { delimiter, header, headerLine });
  }, [head, file, options.delimiter, options.header, options.headerLine]);

  // Abandon an upload in flight when the page goes away.
  useEffect(() => () => abortRef.current?.abort(), []);

  const uploading = progress !== null;
  const busy = urlPending || uploading;
  const errors: Errors =
    source === "url"
      ? urlState.ok
        ? { fieldErrors: {} }
        : toErrors(urlState.formError, urlState.fieldErrors)
      : (uploadErrors ?? { fieldErrors: {} });
  // Checked in the browser before any byte is sent, with the server's rules (lib/csv/binary.ts).
  const fileProblem = !file ? null : file.size === 0 ? "This file is empty" : head?.file === file ? (head.text.binary ?? null) : null;
  const takenMessage = nameTaken && nameTaken.name === name.trim() ? nameTaken.message : null;
  const fe: Record<string, string[]> = { ...errors.fieldErrors };
  if (source === "upload" && fileProblem && !fe.file?.includes(fileProblem)) fe.file = [fileProblem, ...(fe.file ?? [])];
  if (takenMessage && !fe.name?.length) fe.name = [takenMessage];
  const uploadBlocked = source === "upload" && fileProblem !== null;

  const suggestFrom = (raw: string | null) => {
    if (!nameEdited && raw) setName(suggestDatasetName(raw));
  };

  const chooseFile = (chosen: File) => {
    setFile(chosen);
    setHead(null);
    setHeadError(null);
    setUploadErrors(null);
    suggestFrom(chosen.name);
  };

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    const form = new FormData(e.currentTarget);
    if (source === "url") {
      startTransition(() => urlAction(form));
      return;
    }

    const local: Record<string, string[]> = {};
    if (!file) local.file = ["Choose a CSV file to upload"];
    else if (fileProblem) local.file = [fileProblem];
    else if (maxUploadBytes && file.size > maxUploadBytes)
      local.file = [`The file is larger than the ${formatBytes(maxUploadBytes)} limit`];
    const problem = datasetNameProblem(name);
    if (problem) local.name = [problem];
    if (Object.keys(local).length || !file) {
      setUploadErrors({ fieldErrors: local });
      return;
    }

    // Text fields first: the server checks them before it stores any of the file.
    const body = new FormData();
    body.append("name", name.trim());
    body.append("options", JSON.stringify(optionsFromFormData(form)));
    body.append("file", file, file.name);

    const controller = new AbortController();
    abortRef.current = controller;
    setUploadErrors(null);
    setProgress({ loaded: 0, total: file.size });
    const answer = await uploadWithProgress<UploadCreated>("/v1/datasets/csv", body, setProgress, controller.signal);
    abortRef.current = null;
    if (answer.ok && answer.data?.dataset?.name) {
      router.push(`/datasets/${encodeURIComponent(answer.data.dataset.name)}`);
      return; // keep the finished bar on screen while the next page loads
    }
    setProgress(null);
    if (answer.ok) setUploadErrors({ formError: "The server accepted the file but sent an unexpected answer.", fieldErrors: {} });
    else if (!answer.aborted) setUploadErrors(toErrors(answer.message, answer.fieldErrors));
  };

  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-col gap-6" aria-busy={busy || undefined}>
      <FormError message={errors.formError} />

      <Tabs value={source} onValueChange={(v) => !busy && setSource(v as Source)} className="gap-4">
        <div className="flex flex-col gap-2">
          <span id="source-label" className="text-sm font-medium">
            Source
          </span>
          <TabsList aria-labelledby="source-label" className="w-full sm:w-fit">
            <TabsTrigger value="url" disabled={busy}>
              <LinkIcon aria-hidden="true" />
              From a URL
            </TabsTrigger>
            <TabsTrigger value="upload" disabled={busy}>
              <UploadIcon aria-hidden="true" />
              Upload a file
            </TabsTrigger>
          </TabsList>
        </div>

        <TabsContent value="url" tabIndex={-1} className="flex flex-col gap-4">
          <TextField
            id="csvUrl"
            label="CSV URL"
            type="url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder="https://example.com/exports/sales.csv"
            required
            value={csvUrl}
            onChange={(e) => {
              setCsvUrl(e.target.value);
              suggestFrom(nameSourceFromUrl(e.target.value));
            }}
            disabled={busy}
            hint="http:// or https://. The server fetches it now and again whenever you press Load now."
            errors={fe.csvUrl}
          />
        </TabsContent>

        <TabsContent value="upload" tabIndex={-1} className="flex min-w-0 flex-col gap-4">
          <div className="flex flex-col gap-2">
            <Label htmlFor="file-drop">CSV file</Label>
            <FileDropZone
              id="file-drop"
              accept={ACCEPT}
              disabled={busy}
              invalid={Boolean(fe.file?.length)}
              describedBy={describedBy(Boolean(fe.file?.length) && "file-error")}
              title={file ? "Drop another file here, or choose one" : "Drop a CSV file here, or choose one"}
              hint={maxUploadBytes ? `CSV, TSV or text, up to ${formatBytes(maxUploadBytes)}.` : "CSV, TSV or text."}
              onFile={chooseFile}
            />
            <FieldErrors id="file-error" errors={fe.file} />
          </div>

          {file ? (
            <div className="bg-muted/40 flex items-center gap-3 rounded-md border px-3 py-2 text-sm" data-testid="chosen-file">
              <FileTextIcon className="text-muted-foreground size-4 shrink-0" aria-hidden="true" />
              <span className="min-w-0 flex-1 truncate font-medium" title={file.name}>
                {file.name}
              </span>
              <span className="text-muted-foreground shrink-0 tabular-nums">{formatBytes(file.size)}</span>
              <Button
                type="button"
                variant="ghost"
                size="icon"
                className="size-7"
                disabled={busy}
                onClick={() => {
                  setFile(null);
                  setHead(null);
                }}
              >
                <XIcon aria-hidden="true" />
                <span className="sr-only">Remove {file.name}</span>
              </Button>
            </div>
          ) : null}

          {headError ? <p className="text-muted-foreground text-sm">{headError}</p> : null}
          {file && preview && !fileProblem ? (
            <FilePreview
              file={file}
              preview={preview}
              encoding={head?.text ? { label: head.text.encoding, detected: Boolean(head.text.encodingDetected) } : undefined}
            />
          ) : null}
        </TabsContent>
      </Tabs>

      <TextField
        id="name"
        label="Name"
        autoComplete="off"
        spellCheck={false}
        required
        maxLength={63}
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          setNameEdited(e.target.value.trim() !== "");
        }}
        disabled={busy}
        hint="Lowercase letters, digits and underscores, starting with a letter. It becomes the table name in SQL models (warehouse.<name>). Suggested from the file name or URL."
        errors={fe.name}
      />

      <OptionsFields
        values={options}
        onChange={(patch) => setOptions((o) => ({ ...o, ...patch }))}
        errors={fe}
        knownColumns={source === "upload" ? preview?.names : undefined}
        disabled={busy}
      />

      {progress ? <UploadProgressBar progress={progress} /> : null}

      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" disabled={busy || uploadBlocked}>
          {source === "url" ? <LinkIcon aria-hidden="true" /> : <UploadIcon aria-hidden="true" />}
          {source === "url" ? (urlPending ? "Registering…" : "Register and load") : uploading ? "Uploading…" : "Upload and load"}
        </Button>
        {uploading ? (
          <Button type="button" variant="outline" onClick={() => abortRef.current?.abort()}>
            Cancel upload
          </Button>
        ) : null}
      </div>
    </form>
  );
}

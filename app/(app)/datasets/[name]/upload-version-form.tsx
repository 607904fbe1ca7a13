"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { FileTextIcon, UploadIcon } from "lucide-react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { FileDropZone } from "@/components/file-drop-zone";
import { FieldErrors, FormError } from "@/components/form-messages";
import { formatBytes } from "@/lib/format";
import { UploadProgressBar } from "../upload-progress";
import { uploadWithProgress, type UploadProgress } from "../xhr-upload";

type Accepted = { version: { unchanged: boolean; loadId: string | null } };

/** A new file for an uploaded dataset: streamed with progress; identical content is reported unchanged. */
export function UploadVersionForm({ datasetName, busy, maxUploadBytes }: { datasetName: string; busy: boolean; maxUploadBytes?: number }) {
  const router = useRouter();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [error, setError] = useState<{ message?: string; file?: string[] } | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  useEffect(() => () => abortRef.current?.abort(), []);

  const uploading = progress !== null;

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (uploading) return;
    if (!file) return setError({ file: ["Choose a file to upload"] });
    if (file.size === 0) return setError({ file: ["The file is empty"] });
    if (maxUploadBytes && file.size > maxUploadBytes)
      return setError({ file: [`The file is larger than the ${formatBytes(maxUploadBytes)} limit`] });

    const body = new FormData();
    body.append("file", file, file.name);
    const controller = new AbortController();
    abortRef.current = controller;
    setError(null);
    setProgress({ loaded: 0, total: file.size });
    const answer = await uploadWithProgress<Accepted>(
      `/v1/datasets/${encodeURIComponent(datasetName)}/versions`,
      body,
      setProgress,
      controller.signal,
    );
    abortRef.current = null;
    setProgress(null);
    if (answer.ok) {
      setFile(null);
      if (answer.data?.version?.unchanged) toast.info("Same content as the latest version: nothing new to load.");
      else toast.success("New version uploaded; loading it now.");
      router.refresh();
      return;
    }
    if (!answer.aborted) setError({ message: answer.message, file: answer.fieldErrors?.file });
  };

  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-col gap-3" aria-labelledby="upload-version-heading">
      <h3 id="upload-version-heading" className="text-sm font-semibold">
        Upload a new version
      </h3>
      <FileDropZone
        id="upload-version"
        accept=".csv,.tsv,.txt,.psv,text/csv,text/plain,text/tab-separated-values"
        disabled={uploading || busy}
        invalid={Boolean(error?.file?.length)}
        describedBy={error?.file?.length ? "upload-version-error" : busy ? "upload-version-busy" : undefined}
        title={file ? "Drop another file here, or choose one" : "Drop the new CSV here, or choose it"}
        hint="It is loaded with this dataset's options; the same file again is reported unchanged."
        onFile={(f) => {
          setFile(f);
          setError(null);
        }}
        className="[&>button]:py-5"
      />
      <FieldErrors id="upload-version-error" errors={error?.file} />
      {busy ? (
        <p id="upload-version-busy" className="text-muted-foreground text-xs">
          A load is running; upload when it finishes.
        </p>
      ) : null}
      {file ? (
        <p className="flex items-center gap-2 text-sm">
          <FileTextIcon className="text-muted-foreground size-4 shrink-0" aria-hidden="true" />
          <span className="min-w-0 truncate font-medium" title={file.name}>
            {file.name}
          </span>
          <span className="text-muted-foreground shrink-0 tabular-nums">{formatBytes(file.size)}</span>
        </p>
      ) : null}
      {progress ? <UploadProgressBar progress={progress} /> : null}
      <FormError message={error?.message} />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" size="sm" disabled={!file || uploading || busy}>
          <UploadIcon aria-hidden="true" />
          {uploading ? "Uploading…" : "Upload version"}
        </Button>
        {uploading ? (
          <Button type="button" size="sm" variant="outline" onClick={() => abortRef.current?.abort()}>
            Cancel upload
          </Button>
        ) : null}
      </div>
    </form>
  );
}

"use client";

import { Progress } from "@/components/ui/progress";
import { formatBytes } from "@/lib/format";
import type { UploadProgress } from "./xhr-upload";

/** The upload's bar with percent and bytes; once every byte is sent, the server is still storing. */
export function UploadProgressBar({ progress, label = "Upload progress" }: { progress: UploadProgress; label?: string }) {
  const percent = progress.total > 0 ? Math.min(100, Math.round((progress.loaded / progress.total) * 100)) : 0;
  const sent = progress.total > 0 && progress.loaded >= progress.total;
  const text = `${percent}% · ${formatBytes(progress.loaded)} of ${formatBytes(progress.total)}`;
  return (
    <div className="flex flex-col gap-1.5" data-testid="upload-progress">
      <Progress value={percent} aria-label={label} getValueLabel={() => text} />
      <p className="text-muted-foreground flex flex-wrap justify-between gap-x-4 text-xs tabular-nums">
        <span>{text}</span>
        {/* Announced once, not on every percent. */}
        <span role="status">{sent ? "Sent; the server is storing the file…" : ""}</span>
      </p>
    </div>
  );
}

"use client";

import { useId, useRef, useState, type DragEvent } from "react";
import { FileUpIcon } from "lucide-react";
import { cn } from "@/lib/utils";

/**
 * A drop target that is also a button: click, Enter or Space opens the file picker, so the
 * zone works without a mouse. The real <input type="file"> stays in the form (visually hidden,
 * out of the tab order) for the picker and for tools that set files on it directly.
 */
export function FileDropZone({
  id,
  name = "file",
  accept,
  disabled,
  invalid,
  describedBy,
  title = "Drop a CSV file here, or choose one",
  hint,
  onFile,
  className,
}: {
  id: string;
  name?: string;
  accept?: string;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string;
  title?: string;
  hint?: string;
  onFile: (file: File) => void;
  className?: string;
}) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const hintId = useId();

  const take = (files: FileList | null | undefined) => {
    const file = files?.[0];
    if (file) onFile(file);
  };
  const onDragOver = (e: DragEvent) => {
    if (disabled || !Array.from(e.dataTransfer.types).includes("Files")) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    setDragging(true);
  };

  return (
    <div className={className}>
      <button
        type="button"
        id={id}
        disabled={disabled}
        aria-invalid={invalid || undefined}
        aria-describedby={[hint ? hintId : null, describedBy].filter(Boolean).join(" ") || undefined}
        onClick={() => inputRef.current?.click()}
        onDragEnter={onDragOver}
        onDragOver={onDragOver}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          if (!disabled) take(e.dataTransfer.files);
        }}
        className={cn(
          "border-input hover:bg-accent/50 focus-visible:border-ring focus-visible:ring-ring/50 flex w-full flex-col items-center justify-center gap-2 rounded-lg border-2 border-dashed px-4 py-8 text-center text-sm transition-colors outline-none focus-visible:ring-[3px] disabled:cursor-not-allowed disabled:opacity-50",
          dragging && "border-primary bg-accent",
          invalid && "border-destructive",
        )}
      >
        <FileUpIcon className="text-muted-foreground size-6" aria-hidden="true" />
        <span className="font-medium">{title}</span>
        {hint ? (
          <span id={hintId} className="text-muted-foreground text-xs">
            {hint}
          </span>
        ) : null}
      </button>
      <input
        ref={inputRef}
        type="file"
        name={name}
        accept={accept}
        disabled={disabled}
        tabIndex={-1}
        aria-label={title}
        className="sr-only"
        onChange={(e) => {
          take(e.currentTarget.files);
          // Choosing the same file again should still fire a change.
          e.currentTarget.value = "";
        }}
      />
    </div>
  );
}

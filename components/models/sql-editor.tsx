"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { useTheme } from "next-themes";
import CodeMirror, {
  Decoration,
  EditorView,
  keymap,
  Prec,
  StateEffect,
  StateField,
  type DecorationSet,
  type Extension,
} from "@uiw/react-codemirror";
import { cn } from "@/lib/utils";
import { sqlLanguage, type CompletionData } from "./sql-completion";

export type ErrorMark = { line: number; column?: number };

const setErrorMark = StateEffect.define<ErrorMark | null>();

/** The line of the last compile error, highlighted until the text changes. */
const errorMarkField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setErrorMark)) continue;
      if (!effect.value) return Decoration.none;
      const doc = tr.state.doc;
      const line = doc.line(Math.min(Math.max(1, effect.value.line), doc.lines));
      const ranges = [Decoration.line({ class: "cm-rb-error-line", attributes: { "data-testid": "sql-error-line" } }).range(line.from)];
      if (effect.value.column !== undefined && line.length > 0) {
        const from = line.from + Math.min(Math.max(0, effect.value.column - 1), line.length - 1);
        const rest = doc.sliceString(from, line.to);
        // A template tag is marked whole ({{ ref('x') }}), anything else to the end of its word.
        const tag = /^\{\{[^}]*\}\}|^\{%[^%]*%\}/.exec(rest)?.[0];
        const word = tag?.length ?? /^[\w$"']+/.exec(rest)?.[0].length ?? 1;
        ranges.push(Decoration.mark({ class: "cm-rb-error-mark" }).range(from, Math.min(line.to, from + word)));
      }
      return Decoration.set(ranges, true);
    }
    return tr.docChanged ? Decoration.none : marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

const errorTheme = EditorView.baseTheme({
  ".cm-rb-error-line": { backgroundColor: "rgba(220, 38, 38, 0.12)", boxShadow: "inset 3px 0 0 rgb(220, 38, 38)" },
  ".cm-rb-error-mark": { textDecoration: "underline wavy rgb(220, 38, 38)", textUnderlineOffset: "3px" },
});

const shared = EditorView.theme({
  "&": { fontSize: "13px" },
  ".cm-content": { fontFamily: "var(--font-mono, ui-monospace, SFMono-Regular, Menlo, monospace)" },
  ".cm-gutters": { fontFamily: "var(--font-mono, ui-monospace, SFMono-Regular, Menlo, monospace)" },
  "&.cm-focused": { outline: "none" },
});

/**
 * The SQL editor: PostgreSQL highlighting, completion, and the compile error's line marked.
 * Tab is left to the browser (indentWithTab off), so keyboard users can move on; the content
 * element carries the label and description ids because a contenteditable cannot use <label for>.
 */
export function SqlEditor({
  id,
  value,
  onChange,
  completion,
  labelledBy,
  describedBy,
  error,
  readOnly = false,
  invalid = false,
  minHeight = "14rem",
  onRun,
}: {
  id: string;
  value: string;
  onChange?: (value: string) => void;
  completion: CompletionData;
  labelledBy: string;
  describedBy?: string;
  error?: ErrorMark | null;
  readOnly?: boolean;
  invalid?: boolean;
  minHeight?: string;
  /** Ctrl/⌘+Enter inside the editor (instead of CodeMirror's "insert blank line"). */
  onRun?: () => void;
}) {
  const { resolvedTheme } = useTheme();
  const [view, setView] = useState<EditorView | null>(null);
  const onRunRef = useRef(onRun);
  useEffect(() => {
    onRunRef.current = onRun;
  }, [onRun]);

  const extensions = useMemo<Extension[]>(
    () => [
      Prec.highest(
        keymap.of([
          {
            key: "Mod-Enter",
            run: () => {
              if (!onRunRef.current) return false;
              onRunRef.current();
              return true;
            },
          },
        ]),
      ),
      ...sqlLanguage(completion),
      errorMarkField,
      errorTheme,
      shared,
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({
        id,
        "aria-labelledby": labelledBy,
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
        ...(invalid ? { "aria-invalid": "true" } : {}),
        ...(readOnly ? { "aria-readonly": "true" } : {}),
      }),
    ],
    [completion, id, labelledBy, describedBy, invalid, readOnly],
  );

  useEffect(() => {
    if (!view) return;
    const effects: StateEffect<unknown>[] = [setErrorMark.of(error ?? null)];
    if (error) {
      const doc = view.state.doc;
      const line = doc.line(Math.min(Math.max(1, error.line), doc.lines));
      effects.push(EditorView.scrollIntoView(line.from, { y: "center" }));
    }
    view.dispatch({ effects });
  }, [view, error]);

  return (
    <div
      className={cn(
        "focus-within:border-ring focus-within:ring-ring/50 overflow-hidden rounded-md border focus-within:ring-[3px]",
        invalid && "border-destructive",
      )}
    >
      <CodeMirror
        value={value}
        onChange={onChange}
        onCreateEditor={(created) => setView(created)}
        extensions={extensions}
        theme={resolvedTheme === "dark" ? "dark" : "light"}
        indentWithTab={false}
        readOnly={readOnly}
        minHeight={minHeight}
        basicSetup={{ tabSize: 2, foldGutter: false, highlightActiveLine: !readOnly, highlightActiveLineGutter: !readOnly }}
      />
    </div>
  );
}

"use client";

import { useMemo } from "react";
import { useTheme } from "next-themes";
import CodeMirror, { EditorView, type Extension } from "@uiw/react-codemirror";
import { PostgreSQL, sql } from "@codemirror/lang-sql";

/** Read-only SQL with highlighting (compiled SQL, a typed model's generated select). */
export function SqlView({
  value,
  label,
  testId,
  maxHeight = "24rem",
}: {
  value: string;
  label: string;
  testId?: string;
  maxHeight?: string;
}) {
  const { resolvedTheme } = useTheme();
  const extensions = useMemo<Extension[]>(
    () => [
      sql({ dialect: PostgreSQL }),
      EditorView.lineWrapping,
      EditorView.editable.of(false),
      EditorView.contentAttributes.of({ "aria-label": label, "aria-readonly": "true" }),
      EditorView.theme({
        "&": { fontSize: "13px" },
        ".cm-content, .cm-gutters": { fontFamily: "var(--font-mono, ui-monospace, SFMono-Regular, Menlo, monospace)" },
      }),
    ],
    [label],
  );
  return (
    <div className="overflow-hidden rounded-md border" data-testid={testId}>
      <CodeMirror
        value={value}
        extensions={extensions}
        readOnly
        editable={false}
        theme={resolvedTheme === "dark" ? "dark" : "light"}
        maxHeight={maxHeight}
        basicSetup={{
          lineNumbers: false,
          foldGutter: false,
          highlightActiveLine: false,
          highlightActiveLineGutter: false,
          autocompletion: false,
          searchKeymap: true,
        }}
      />
    </div>
  );
}

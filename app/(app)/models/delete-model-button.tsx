"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Trash2Icon } from "lucide-react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { ConfirmAction } from "@/components/confirm-action";
import { DeleteConsequences, plural, type Consequence } from "@/components/delete-consequences";
import type { ModelDependents } from "@/lib/lifecycle/dependents";
import { deleteModelAction } from "./actions";

/** The model dialog's lines: what fails once it is gone. */
function modelConsequences(d: ModelDependents): Consequence[] {
  const items: Consequence[] = [];
  if (d.readers.length) {
    items.push({
      id: "readers",
      warn: true,
      text: `${d.readers.length === 1 ? "This model refs it" : `These ${plural(d.readers.length, "model")} ref it`}, so deleting is refused until the ref is removed:`,
      names: d.readers,
    });
  }
  const further = d.downstream.filter((n) => !d.readers.includes(n));
  if (further.length) items.push({ id: "downstream", warn: true, text: "Further downstream, built on those:", names: further });
  if (d.messages.length) {
    items.push({
      id: "messages",
      warn: true,
      text: "These pipelines' messages use it as their table and will fail:",
      names: d.messages.map((m) => `${m.name} (message ${m.messages.join(", ")})`),
    });
  }
  if (!items.length) items.push({ id: "none", text: "No model reads it and no pipeline's message uses it." });
  return items;
}

/** Deletes the model and its relation after a confirmation; refused while other models ref it. */
export function DeleteModelButton({ name, dependents }: { name: string; dependents: ModelDependents }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const [pending, startTransition] = useTransition();

  const remove = () =>
    startTransition(async () => {
      const result = await deleteModelAction({ name });
      if (result.ok) {
        toast.success(`Deleted model ${name}`);
        setOpen(false);
        router.push("/models");
      } else {
        setError(result.formError ?? "Could not delete this model");
      }
    });

  return (
    <ConfirmAction
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setError(undefined);
      }}
      pending={pending}
      trigger={
        <Button type="button" variant="outline" className="text-destructive">
          <Trash2Icon aria-hidden="true" />
          Delete model
        </Button>
      }
      title={`Delete model ${name}?`}
      titleClassName="break-all"
      description={
        <>
          <p>
            Its view or table is dropped from the warehouse, and the model, its revisions and its build history are deleted. This cannot be
            undone; export a dbt project first if you may want it back.
          </p>
          <DeleteConsequences items={modelConsequences(dependents)} />
        </>
      }
      error={error}
      confirm={{ label: "Delete model", pendingLabel: "Deleting…", disabled: dependents.readers.length > 0 }}
      onConfirm={remove}
    />
  );
}

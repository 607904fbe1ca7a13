"use client";

import { useActionState, useEffect } from "react";
import { useRouter } from "next/navigation";
import { FlaskConicalIcon } from "lucide-react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { addTestChannelAction, type TestChannelSaved } from "./actions";

type State = ActionResult<TestChannelSaved> & { attempt: number };

/**
 * "Add a test channel": a destination that records messages instead of posting them, offered at
 * any time so a delivery can be seen without a Slack webhook. A second click finds the same one.
 * The list below shows it at once (the action revalidates the page); the toast says which it was.
 */
export function AddTestChannelButton() {
  const router = useRouter();
  const [state, formAction, pending] = useActionState(
    async (prev: State, form: FormData): Promise<State> => ({
      ...(await addTestChannelAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    { ok: false, attempt: 0 },
  );

  useEffect(() => {
    if (state.attempt === 0) return;
    if (!state.ok) {
      toast.error("Could not add a test channel", { description: state.formError });
      return;
    }
    const { id, name, created } = state.data;
    const open = { label: "Open", onClick: () => router.push(`/destinations/${id}`) };
    if (created) {
      toast.success(`Added ${name}`, {
        description: "It records messages instead of posting them. Send it a test message, then open it to see what Slack would get.",
        action: open,
      });
    } else {
      toast.info(`${name} is already here`, {
        description: "There is one test channel per install; it was not added again.",
        action: open,
      });
    }
    // Once per answer: the router is stable, so only a new state runs this.
  }, [state, router]);

  return (
    <form action={formAction}>
      <Button type="submit" variant="outline" disabled={pending} data-testid="add-test-channel">
        <FlaskConicalIcon aria-hidden="true" />
        {pending ? "Adding…" : "Add a test channel"}
      </Button>
    </form>
  );
}

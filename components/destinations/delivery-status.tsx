import { CircleAlertIcon, CircleCheckIcon, CircleDashedIcon, LoaderCircleIcon, SkipForwardIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";

export type DeliveryStatus = "pending" | "sending" | "sent" | "failed" | "skipped";
export type DeliveryKind = "message" | "test" | "failure_alert";

const STATUS_LABELS: Record<DeliveryStatus, string> = {
  pending: "Pending",
  sending: "Sending",
  sent: "Sent",
  failed: "Failed",
  skipped: "Skipped",
};

const KIND_LABELS: Record<DeliveryKind, string> = {
  message: "Message",
  test: "Test message",
  failure_alert: "Failure alert",
};

export function deliveryKindLabel(kind: DeliveryKind): string {
  return KIND_LABELS[kind] ?? kind;
}

/** A delivery's status pill; the icon is decorative, the label carries the meaning. */
export function DeliveryStatusBadge({ status, className }: { status: DeliveryStatus; className?: string }) {
  const Icon =
    status === "sent"
      ? CircleCheckIcon
      : status === "failed"
        ? CircleAlertIcon
        : status === "skipped"
          ? SkipForwardIcon
          : status === "sending"
            ? LoaderCircleIcon
            : CircleDashedIcon;
  return (
    <Badge
      variant={status === "failed" ? "destructive" : status === "sent" ? "outline" : "secondary"}
      className={cn(status === "sent" && "border-emerald-600/40 text-emerald-800 dark:text-emerald-300", className)}
    >
      <Icon aria-hidden="true" className={cn(status === "sending" && "animate-spin motion-reduce:animate-none")} />
      {STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

import type { Pipeline } from "@/db/schema/pipelines";
import { describeCondition } from "@/lib/pipeline/alert-rules";

/** A pipeline as the API shows it whole (GET/POST/PUT): what POST and PUT take, plus ids, state and each condition in words. */
export function pipelineView(p: Pipeline) {
  return {
    id: p.id,
    name: p.name,
    datasetId: p.datasetId,
    models: p.models,
    deliveries: p.deliveries.map((d) => ({
      destinationId: d.destinationId,
      template: d.template,
      condition: d.condition,
      fire: d.fire ?? "every_run",
      snoozeUntil: d.snoozeUntil ?? null,
      digest: d.digest ?? null,
      conditionInWords: describeCondition(d.condition, d.fire),
    })),
    failureAlertDestinationId: p.failureAlertDestinationId,
    stopOnTestFailure: p.stopOnTestFailure,
    scheduleCron: p.scheduleCron,
    scheduleTimezone: p.scheduleTimezone,
    nextRunAt: p.nextRunAt?.toISOString() ?? null,
    paused: p.paused,
    isDefault: p.isDefault,
  };
}

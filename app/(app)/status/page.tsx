import type { Metadata } from "next";
import type { ReactNode } from "react";
import {
  CircleAlertIcon,
  CircleCheckIcon,
  CpuIcon,
  DatabaseIcon,
  HardDriveIcon,
  ListOrderedIcon,
  TimerIcon,
  TriangleAlertIcon,
  type LucideIcon,
} from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { getServiceStatus, type CheckName } from "@/lib/health";
import { formatDateTime, formatDuration, formatRelativeTime } from "@/lib/format";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/page-header";
import { CheckQueueButton } from "../check-queue-button";
import { CHECK_LABELS, summarizeServiceStatus } from "./summary";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Status" };

const CHECKS: Array<{ name: CheckName; icon: LucideIcon; what: string }> = [
  { name: "database", icon: DatabaseIcon, what: "Postgres holds the app's data, staging and warehouse." },
  { name: "storage", icon: HardDriveIcon, what: "Raw CSV files, one object per version." },
  { name: "queue", icon: ListOrderedIcon, what: "pg-boss hands jobs to the workers." },
];

const WARNING_CLASS = "border-amber-500/50 text-amber-900 dark:text-amber-200 bg-amber-50 dark:bg-amber-950/30";

/** The service's internals: the checks behind GET /health, the workers and the queue round-trip. */
export default async function StatusPage() {
  const user = await requireUser();
  const status = await getServiceStatus();
  const summary = summarizeServiceStatus(status);
  const canRunProbe = roleAtLeast(user.role, "editor");
  const now = new Date();

  return (
    <>
      <PageHeader
        title="Status"
        description={`Relayboard ${status.version}: the checks behind GET /health, the workers and the queue. ${summary.text}.`}
      />

      <section aria-labelledby="status-heading" className="flex flex-col gap-4">
        <div className="flex flex-wrap items-end justify-between gap-4">
          <h2 id="status-heading" className="text-lg font-semibold">
            Service status
          </h2>
          <CheckQueueButton canRun={canRunProbe} />
        </div>

        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {CHECKS.map(({ name, icon, what }) => {
            const value = status.checks[name];
            return (
              <StatusCard key={name} testId={`service-${name}`} icon={icon} title={CHECK_LABELS[name]} description={what}>
                <StatusLine ok={value === "ok"} text={value === "ok" ? "Operational" : `Unavailable: ${value}`} />
              </StatusCard>
            );
          })}

          <StatusCard
            testId="workers-online"
            icon={CpuIcon}
            title="Workers online"
            description="Processes that run ingest, transform and delivery jobs."
          >
            {status.workersOnline === null ? (
              <StatusLine ok={false} text="Unknown while the database is unavailable" />
            ) : (
              <p className="text-2xl font-semibold tabular-nums">{status.workersOnline}</p>
            )}
          </StatusCard>

          <StatusCard
            testId="queue-round-trip"
            icon={TimerIcon}
            title="Last queue round-trip"
            description="A probe sent through the queue and stamped by a worker."
          >
            {status.lastQueueRoundTrip ? (
              <p className="flex flex-col gap-0.5">
                <span className="text-2xl font-semibold tabular-nums">
                  {formatDuration(Math.max(0, status.lastQueueRoundTrip.latencyMs))}
                </span>
                <time
                  dateTime={status.lastQueueRoundTrip.at.toISOString()}
                  title={formatDateTime(status.lastQueueRoundTrip.at)}
                  className="text-muted-foreground text-sm"
                >
                  {formatRelativeTime(status.lastQueueRoundTrip.at, now)}
                </time>
              </p>
            ) : (
              <p className="text-muted-foreground text-sm">No probe has completed yet.</p>
            )}
          </StatusCard>
        </div>

        {status.databaseRoleWarning && roleAtLeast(user.role, "admin") ? (
          <Alert data-testid="database-role-warning" className={WARNING_CLASS}>
            <TriangleAlertIcon aria-hidden="true" />
            <AlertTitle>The database login is a superuser</AlertTitle>
            <AlertDescription className="text-amber-900/90 dark:text-amber-200/90">
              <p>{status.databaseRoleWarning}</p>
            </AlertDescription>
          </Alert>
        ) : null}

        {status.workersOnline === 0 ? (
          <Alert className={WARNING_CLASS}>
            <TriangleAlertIcon aria-hidden="true" />
            <AlertTitle>No worker is running</AlertTitle>
            <AlertDescription className="text-amber-900/90 dark:text-amber-200/90">
              <p>
                Jobs will not run: datasets are not loaded and no messages are sent until a worker starts. Start one with{" "}
                <code className="bg-background/60 rounded px-1 py-0.5 font-mono text-xs">npm run worker</code>.
              </p>
            </AlertDescription>
          </Alert>
        ) : null}
      </section>
    </>
  );
}

function StatusCard({
  testId,
  icon: Icon,
  title,
  description,
  children,
}: {
  testId?: string;
  icon: LucideIcon;
  title: string;
  description: string;
  children: ReactNode;
}) {
  return (
    <Card data-testid={testId} className="gap-3">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Icon className="text-muted-foreground size-4" aria-hidden="true" />
          <h3>{title}</h3>
        </CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}

function StatusLine({ ok, text }: { ok: boolean; text: string }) {
  const Icon = ok ? CircleCheckIcon : CircleAlertIcon;
  return (
    <p
      className={
        ok
          ? "flex items-center gap-2 text-sm font-medium text-emerald-700 dark:text-emerald-400"
          : "text-destructive flex items-center gap-2 text-sm font-medium"
      }
    >
      <Icon className="size-4 shrink-0" aria-hidden="true" />
      <span>{text}</span>
    </p>
  );
}

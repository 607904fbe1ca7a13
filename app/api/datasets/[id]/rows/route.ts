import { viewerDatasetGet } from "@/lib/api/dataset-route";
import { readRowsPage } from "@/lib/datasets/rows";
import { rowsView, viewFromParams } from "@/lib/validation/dataset-rows";

export const dynamic = "force-dynamic";

/** One sorted, filtered page of a dataset's rows, for the row browser on the dataset page. */
export const GET = viewerDatasetGet("GET /api/datasets/rows", (dataset, request) =>
  readRowsPage(dataset, rowsView.parse(viewFromParams(new URL(request.url).searchParams))),
);

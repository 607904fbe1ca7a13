/** Types for jobs/bundle.mjs (plain JavaScript: it runs before anything compiles TypeScript). */
export function ensureBundle(opts: { root: string; entry: string; outDir?: string; name?: string }): { bundle: string; built: boolean };

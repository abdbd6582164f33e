// Entry for `npm run bench`: runs every benchmark in turn. Not part of `npm test`.
export {};
await import('./parsers.bench.ts');
await import('./ingest.bench.ts');
await import('./query.bench.ts');
await import('./mesh.bench.ts');
await import('./ui.bench.ts');
await import('./distributed.bench.ts');

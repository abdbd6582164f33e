import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';

/** Bundles a test entry into one IIFE script for `page.addScriptTag({ content })`. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const out = (await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      lib: { entry: fileURLToPath(new URL(entry, import.meta.url)), formats: ['iife'], name: 'peerlakeTest' },
    },
  })) as Rollup.RollupOutput[];
  const chunk = out[0]!.output.find((o) => o.type === 'chunk');
  if (!chunk) throw new Error(`no bundle produced for ${entry}`);
  return chunk.code;
}

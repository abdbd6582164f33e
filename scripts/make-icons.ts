// Renders the PWA icons (public/icons/*.png) from one SVG with headless Chromium, so the PNGs
// the manifest needs (192, 512, and maskable variants with the 80 % safe zone) never drift from
// the favicon. Run once after changing the artwork: `npx tsx scripts/make-icons.ts`; the PNGs are
// committed, so builds need no browser.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../test/e2e/harness.ts';

const OUT = join(process.cwd(), 'public/icons');
const BG = '#2257c9';

/** The mark: two linked nodes above a wave, drawn in a 64-unit box. */
const MARK = `<path d="M12 40c8-6 14-6 20 0s12 6 20 0v12H12z" fill="#8ab4ff"/>
<circle cx="22" cy="22" r="5" fill="#fff"/><circle cx="42" cy="18" r="5" fill="#fff"/>
<path d="M22 22L42 18" stroke="#fff" stroke-width="3"/>`;

/** `any` icons have rounded corners; `maskable` ones fill the square and keep the mark inside the central 80 %. */
function svg(maskable: boolean): string {
  const inner = maskable
    ? `<rect width="64" height="64" fill="${BG}"/><g transform="translate(9.6 9.6) scale(0.7)">${MARK}</g>`
    : `<rect width="64" height="64" rx="14" fill="${BG}"/>${MARK}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">${inner}</svg>`;
}

const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
try {
  for (const size of [192, 512]) {
    for (const maskable of [false, true]) {
      const page = await browser.newPage({ viewport: { width: size, height: size } });
      await page.setContent(
        `<html><body style="margin:0;background:transparent">${svg(maskable).replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
      );
      const png = await page.screenshot({ omitBackground: true });
      const name = `icon-${size}${maskable ? '-maskable' : ''}.png`;
      writeFileSync(join(OUT, name), png);
      console.log(`wrote public/icons/${name} (${png.byteLength} bytes)`);
      await page.close();
    }
  }
} finally {
  await browser.close();
}

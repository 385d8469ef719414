// Build the map page into ./static: the JS and CSS bundle, the Natural Earth TopoJSON, the HTML
// and THIRD_PARTY_LICENSES. The output is committed, so `pip install` serves the page without
// Node.js; rerun this after changing src/ or the dependencies (see docs/web.md).

import { build } from 'esbuild';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'static');
const modules = path.join(here, 'node_modules');
// Packages whose code or data end up in ./static, hence whose licences ship with it.
const SHIPPED = ['leaflet', 'topojson-client', 'world-atlas'];
const BASEMAP = 'countries-50m.json';

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

await build({
  entryPoints: [path.join(here, 'src', 'main.js')],
  outfile: path.join(out, 'app.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  loader: { '.png': 'dataurl', '.svg': 'dataurl' },
  legalComments: 'none', // the licences are collected in THIRD_PARTY_LICENSES below
  logLevel: 'warning',
});

await copyFile(path.join(modules, 'world-atlas', BASEMAP), path.join(out, BASEMAP));
await copyFile(path.join(here, 'src', 'index.html'), path.join(out, 'index.html'));

async function licenceText(dir) {
  const name = (await readdir(dir)).find((f) => /^licen[cs]e/i.test(f));
  return name ? (await readFile(path.join(dir, name), 'utf8')).trim() : '(no licence file in the package)';
}

const sections = [
  'Third-party software and data bundled in marsad/web/static',
  '',
  `app.js and app.css bundle leaflet and topojson-client; ${BASEMAP} is copied from world-atlas,`,
  'which derives it from Natural Earth (https://www.naturalearthdata.com/), public domain.',
];
for (const name of SHIPPED) {
  const dir = path.join(modules, name);
  const meta = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  const home = meta.homepage || meta.repository?.url || meta.repository || '';
  sections.push('', '='.repeat(78), `${meta.name} ${meta.version} (${meta.license}) ${home}`.trim(), '-'.repeat(78));
  sections.push(await licenceText(dir));
}
await writeFile(path.join(out, 'THIRD_PARTY_LICENSES'), sections.join('\n') + '\n');
console.log(`built ${path.relative(process.cwd(), out) || '.'}`);

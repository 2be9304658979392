import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS, render } from './index.ts';

/** `bun run dashboards`: write grafana/dashboards/*.json from the typed definitions (test/grafana checks they match). */
const dir = join(import.meta.dir, '..', 'dashboards');
mkdirSync(dir, { recursive: true });
for (const { file, dashboard } of DASHBOARDS) {
  writeFileSync(join(dir, file), render(dashboard));
  console.log(`wrote grafana/dashboards/${file}`);
}

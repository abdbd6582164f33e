import type { LakeNode } from '../lake/LakeNode.ts';
import { DatasetsPanel } from './DatasetsPanel.ts';
import { h } from './dom.ts';
import { EventLog } from './EventLog.ts';
import { RoomPanel } from './RoomPanel.ts';
import { SqlPanel } from './SqlPanel.ts';
import { StatusBar } from './StatusBar.ts';
import { UploadPanel } from './UploadPanel.ts';

/** Mounts the page. The UI only uses the public LakeNode API and its events. */
export function mountApp(root: HTMLElement, lake: LakeNode, origin: string): void {
  const sql = SqlPanel(lake);
  root.replaceChildren(
    StatusBar(lake, origin),
    h(
      'main',
      {},
      RoomPanel(lake),
      UploadPanel(lake),
      DatasetsPanel(lake, (q) => sql.setQuery(q)),
      sql.el,
      EventLog(lake),
    ),
  );
  root.removeAttribute('aria-busy');
}

/** Shown when the node cannot start (no IndexedDB, a bad ?config=, …). */
export function showFatal(root: HTMLElement, message: string): void {
  root.replaceChildren(
    h('div', { class: 'fatal', role: 'alert' }, h('h1', {}, 'peerlake could not start'), h('p', {}, message)),
  );
  root.removeAttribute('aria-busy');
}

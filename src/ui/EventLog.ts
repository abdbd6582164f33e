import type { LakeNode } from '../lake/LakeNode.ts';
import { h } from './dom.ts';

const MAX_EVENTS = 100;

/** A live log of what the node does. */
export function EventLog(lake: LakeNode): HTMLElement {
  const list = h('ol', { class: 'events', 'aria-live': 'polite' });
  const add = (text: string) => {
    list.prepend(h('li', {}, h('time', {}, new Date().toLocaleTimeString()), ' ', text));
    while (list.childElementCount > MAX_EVENTS) list.lastElementChild?.remove();
  };
  lake.on('dataset-added', (d) => add(`dataset added: ${d.name} (${d.rows} rows, ${d.chunks} chunks)`));
  lake.on('dataset-removed', (d) => add(`dataset removed: ${d.name}`));
  lake.on('peer-joined', (p) => add(`peer joined: ${p.nodeId.slice(0, 8)}`));
  lake.on('peer-left', (p) => add(`peer left: ${p.nodeId.slice(0, 8)} (${p.reason})`));
  add('node started');
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'events-h' },
    h('h2', { id: 'events-h' }, 'Events'),
    list,
  );
}

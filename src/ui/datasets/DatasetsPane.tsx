import { Empty } from '../components/Empty.tsx';
import type { UiStore } from '../state/UiStore.ts';
import { DatasetCard } from './DatasetCard.tsx';

/** The datasets this node knows: one card each, with schema, checksum, state and actions. */
export function DatasetsPane({ store }: { store: UiStore }) {
  const list = store.datasets.value;
  return (
    <section class="panel" aria-labelledby="datasets-h">
      <header class="panel-head">
        <h2 id="datasets-h">Datasets</h2>
        {list.length ? <span class="muted">{list.length}</span> : null}
      </header>
      <div data-testid="datasets">
        {list.length === 0 ? (
          <Empty title="No datasets yet">
            Drop a file above: it is parsed in a worker, stored in this browser and shared with the room.
          </Empty>
        ) : (
          <ul class="datasets">
            {list.map((d) => (
              <DatasetCard key={d.id} store={store} d={d} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

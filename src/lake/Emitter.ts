/** A tiny typed event emitter; a throwing handler is logged, never breaks the emitter. */
export class Emitter<Events extends object> {
  #handlers = new Map<keyof Events, Set<(e: never) => void>>();

  on<K extends keyof Events>(event: K, handler: (e: Events[K]) => void): () => void {
    let set = this.#handlers.get(event);
    if (!set) this.#handlers.set(event, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const h of this.#handlers.get(event) ?? []) {
      try {
        (h as (e: Events[K]) => void)(payload);
      } catch (err) {
        console.error(`peerlake: a "${String(event)}" handler threw`, err);
      }
    }
  }
}

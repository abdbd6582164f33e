/**
 * A tiny typed event emitter for the mesh layer; a throwing handler is logged and never breaks the
 * emitter, so a bug in one listener cannot stop a transport or membership (EXAMPLES §5).
 *
 * @remarks Same behaviour as src/lake/Emitter.ts; net keeps its own copy because the dependency
 * direction is lake → net (DESIGN §2).
 */
export class Emitter<Events extends object> {
  #handlers = new Map<keyof Events, Set<(e: never) => void>>();

  /** Subscribes; returns the unsubscribe function. */
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

  /** Drops every handler; called on close. */
  clear(): void {
    this.#handlers.clear();
  }
}

/** A small typed event emitter: listeners are called synchronously, in registration order. */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(e: never) => void>>();

  /** Registers `fn`; returns the function that removes it. */
  on<K extends keyof Events>(event: K, fn: (e: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(fn as (e: never) => void);
    return () => set.delete(fn as (e: never) => void);
  }

  /** Calls every listener; a throwing listener is reported to `onError`, not to the emitter's caller. */
  emit<K extends keyof Events>(event: K, e: Events[K], onError: (err: unknown) => void): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as (e: Events[K]) => void)(e);
      } catch (err) {
        onError(err);
      }
    }
  }
}

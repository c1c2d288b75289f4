/**
 * Recent uploaded queries, so the page can ask for the explanation of (upload, hit) by id. Ids are
 * `query:N`; the oldest is dropped past `capacity`.
 */
import type { Objects } from '../train/trained-model.js';

export class QueryCache {
  private readonly items = new Map<string, Objects>();
  private next = 0;

  constructor(private readonly capacity = 64) {}

  add(objects: Objects): string {
    const id = `query:${this.next++}`;
    this.items.set(id, objects);
    if (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value as string);
    return id;
  }

  /** Queries held: at most `capacity`, however many arrive (the service's memory per upload is bounded). */
  get size(): number {
    return this.items.size;
  }

  get(id: string): Objects | undefined {
    return this.items.get(id);
  }
}

/**
 * How a write tells the read side that documents changed: the package service calls
 * `packageChanged(lowerId)` after every push, unlist and relist. Today the one implementation drops
 * the local document cache's entries of that id and the cross-id ones (search, autocomplete); a
 * cross-node implementation (several Galleons on one PostgreSQL) will broadcast the same call.
 */
import { GLOBAL_CACHE_TAG, type DocumentCache } from '../cache.ts';

export interface Invalidator {
  /** the documents of `lowerId` (registration, flat container, dependencies…) and every cross-id document changed */
  packageChanged(lowerId: string): void;
}

/** The invalidator of one process: drops the entries of its own DocumentCache. */
export class LocalInvalidator implements Invalidator {
  constructor(private readonly cache: DocumentCache) {}

  packageChanged(lowerId: string): void {
    this.cache.invalidate(lowerId);
    this.cache.invalidate(GLOBAL_CACHE_TAG);
  }
}

/**
 * The contract of the {@link ArchiveStore} port, as one suite that every implementation runs: the
 * memory double the handler and state machine tests use, the wire fake's S3 view, and the real
 * adapter (S3ArchiveStore) over the S3 fake. A double that passes it behaves like the adapter it
 * stands for, as far as the port promises.
 */
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../functions/domain/audit/records.ts';
import type { ArchiveStore } from '../../functions/ports/archive-store.ts';
import { AlreadyArchivedError, ArchiveWriteError, NotArchivedError } from '../../functions/shared/errors.ts';

/** How a suite gets a fresh, empty store; `done` releases what `make` set up. */
export interface ArchiveHarness {
  make(): Promise<ArchiveStore>;
  done?(): Promise<void>;
  /** Makes the next put meet a 500 InternalError from the storage (implementations that model faults). */
  failNextPut?(): void;
}

/** Runs the archive contract against one implementation. */
export function archiveStoreContract(name: string, harness: ArchiveHarness): void {
  describe(`ArchiveStore contract: ${name}`, () => {
    async function withStore(fn: (store: ArchiveStore) => Promise<void>): Promise<void> {
      const store = await harness.make();
      try {
        await fn(store);
      } finally {
        await harness.done?.();
      }
    }

    it('stores a document and reads back the exact text, with the SHA-256 of those bytes', () =>
      withStore(async (store) => {
        // Prepare: multi-byte characters, so a store that counts or hashes characters instead of bytes fails.
        const body = '{"database":"swifteats","note":"Zürich → Köln"}\n';
        // Act
        const stored = await store.put('manifests/swifteats/2026-11-29.json', body, 'application/json');
        const read = await store.get('manifests/swifteats/2026-11-29.json');
        // Assess
        expect(stored.key).toBe('manifests/swifteats/2026-11-29.json');
        expect(stored.sha256).toBe(sha256(body));
        expect(read).toBe(body);
      }));

    it('never overwrites: a second put of a key is AlreadyArchivedError and the first document stays', () =>
      withStore(async (store) => {
        // Prepare
        await store.put('audit/a.json', 'first', 'application/json');
        // Act
        const thrown = await store.put('audit/a.json', 'second', 'application/json').catch((e: unknown) => e);
        // Assess
        expect(thrown).toBeInstanceOf(AlreadyArchivedError);
        expect(await store.get('audit/a.json')).toBe('first');
      }));

    it('reads a key never written as NotArchivedError', () =>
      withStore(async (store) => {
        // Act
        const thrown = await store.get('audit/never.json').catch((e: unknown) => e);
        // Assess
        expect(thrown).toBeInstanceOf(NotArchivedError);
        expect((thrown as Error).name).toBe('NotArchivedError');
      }));

    it('keeps keys apart (a prefix of a key is another key) and gives each stored version its own id', () =>
      withStore(async (store) => {
        // Act
        const a = await store.put('audit/x', 'short', 'text/plain');
        const b = await store.put('audit/x.json', 'long', 'application/json');
        // Assess
        expect([await store.get('audit/x'), await store.get('audit/x.json')]).toEqual(['short', 'long']);
        expect(a.versionId === null || a.versionId !== b.versionId).toBe(true);
      }));
    // Only where the implementation models storage faults (the wire fake's view does not).
    const failNextPut = harness.failNextPut;
    if (failNextPut) it('turns a storage 500 into ArchiveWriteError naming the operation and the key, stores nothing, and takes the retry', () =>
      withStore(async (store) => {
        // Prepare
        failNextPut();
        // Act
        const thrown = await store.put('audit/retried.json', 'once', 'application/json').catch((e: unknown) => e);
        const missing = await store.get('audit/retried.json').catch((e: unknown) => e);
        const retried = await store.put('audit/retried.json', 'once', 'application/json');
        // Assess
        expect(thrown).toBeInstanceOf(ArchiveWriteError);
        expect((thrown as Error).message).toMatch(/^PutObject \S*audit\/retried\.json: InternalError: /);
        expect(missing).toBeInstanceOf(NotArchivedError);
        expect(retried.sha256).toBe(sha256('once'));
      }));
  });
}

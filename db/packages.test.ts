/**
 * db/packages.ts on every backend of `backends()`: the registered casing of an id, the reads behind
 * registration, flat container, dependency documents and the package page (which include unlisted
 * versions and which do not), listing and unlisting, and the blob keys the start-up sweep and gc
 * ask about. The push statement's search documents and the version order are checked in
 * db/version-order.test.ts; the 10,000-element list audits are in test/list-binding.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase } from '../test/support/server.ts';
import { versionRow } from '../test/support/package-rows.ts';
import { PackageRepository } from './packages.ts';

describe.each(backends())('package repository (%s database)', (backend) => {
  let handle: Awaited<ReturnType<typeof openTestDatabase>>;
  let repo: PackageRepository;

  beforeAll(async () => {
    handle = await openTestDatabase(backend);
    repo = new PackageRepository(handle.db.db);
  }, 120_000);
  afterAll(async () => {
    await handle?.dispose();
  });

  it('keeps the casing of the first push of an id for every later version', async () => {
    expect(await repo.insertVersion(versionRow('Pkg.Case', '1.0.0', 1))).toBe('Pkg.Case');
    expect(await repo.insertVersion(versionRow('PKG.CASE', '2.0.0', 2))).toBe('Pkg.Case');
    expect((await repo.getRecords('pkg.case')).map((r) => r.id)).toEqual(['Pkg.Case', 'Pkg.Case']);
    await expect(repo.insertVersion(versionRow('pkg.case', '2.0.0', 3))).rejects.toMatchObject({ code: 'duplicate_package', id: 'pkg.case', version: '2.0.0' });
  });

  it('reads one version, or nothing for an unknown id or version', async () => {
    const rec = await repo.getRecord('pkg.case', '2.0.0');
    expect(rec).toMatchObject({ id: 'Pkg.Case', version: '2.0.0', listed: true, authors: 'Author 2, Ünïcode', downloads: 0 });
    expect(rec!.created.toISOString()).toBe('2026-01-01T00:00:02.000Z');
    expect(await repo.getRecord('pkg.case', '9.0.0')).toBeNull();
    expect(await repo.getRecord('no.such', '1.0.0')).toBeNull();
    expect(await repo.exists('pkg.case', '1.0.0')).toBe(true);
    expect(await repo.exists('pkg.case', '1.0.1')).toBe(false);
    expect(await repo.getStoredVersion('pkg.case', '1.0.0')).toEqual({
      id: 'Pkg.Case', version: '1.0.0', versionKey: '1.0.0', blobKey: 'pkg.case/1.0.0/u1', listed: true, hasReadme: false, hasIcon: false, packageSize: 1,
    });
    expect(await repo.getStoredVersion('no.such', '1.0.0')).toBeNull();
  });

  it('keeps unlisted versions in registration reads and leaves them out of listed and dependency reads', async () => {
    await repo.insertVersion(versionRow('Pkg.Listing', '1.0.0', 10));
    await repo.insertVersion(versionRow('Pkg.Listing', '1.1.0-Beta.2', 11));
    await repo.insertVersion(versionRow('Pkg.Listing', '2.0.0', 12, { dependencyGroups: [{ targetFramework: 'net8.0', dependencies: [{ id: 'Dep', range: '[1.0.0, )' }] }] }));
    const edited = new Date(Date.UTC(2026, 5, 1));
    expect(await repo.setListed('pkg.listing', '2.0.0', false, edited)).toBe(true);
    expect(await repo.setListed('pkg.listing', '7.0.0', false, edited)).toBe(false);
    expect(await repo.setListed('no.such', '1.0.0', true, edited)).toBe(false);
    const versions = (rs: { version: string }[]) => rs.map((r) => r.version).sort();
    expect(versions(await repo.getRecords('pkg.listing'))).toEqual(['1.0.0', '1.1.0-Beta.2', '2.0.0']);
    expect(versions(await repo.getVersionSummaries('pkg.listing'))).toEqual(['1.0.0', '1.1.0-Beta.2', '2.0.0']);
    expect(versions(await repo.getListedRecords('pkg.listing'))).toEqual(['1.0.0', '1.1.0-Beta.2']);
    expect(versions(await repo.getDependencyRecords('pkg.listing'))).toEqual(['1.0.0', '1.1.0-Beta.2']);
    const unlisted = await repo.getRecord('pkg.listing', '2.0.0');
    expect(unlisted).toMatchObject({ listed: false, dependencyGroups: [{ targetFramework: 'net8.0', dependencies: [{ id: 'Dep', range: '[1.0.0, )' }] }] });
    expect(unlisted!.lastEdited.toISOString()).toBe(edited.toISOString());
    const summary = (await repo.getVersionSummaries('pkg.listing')).find((s) => s.version === '2.0.0');
    expect(summary).toEqual({ id: 'Pkg.Listing', version: '2.0.0', created: new Date(Date.UTC(2026, 0, 1, 0, 0, 12)), lastEdited: edited });
    expect(await repo.setListed('pkg.listing', '2.0.0', true, edited)).toBe(true);
    expect(versions(await repo.getDependencyRecords('pkg.listing'))).toEqual(['1.0.0', '1.1.0-Beta.2', '2.0.0']);
    expect(await repo.getRecords('no.such')).toEqual([]);
    expect(await repo.getDependencyRecords('no.such')).toEqual([]);
  });

  it('reads the versions asked for by key, ignoring unknown keys', async () => {
    expect(await repo.getRecordsByKeys('pkg.listing', [])).toEqual([]);
    const found = await repo.getRecordsByKeys('pkg.listing', ['1.1.0-beta.2', '2.0.0', '3.0.0', '1.0.0-x']);
    expect(found.map((r) => r.version).sort()).toEqual(['1.1.0-Beta.2', '2.0.0']);
    expect(await repo.getRecordsByKeys('pkg.case', ['1.1.0-beta.2'])).toEqual([]);
  });

  it('answers which blob keys a version row names, never a malformed key or another upload', async () => {
    expect(await repo.countVersions()).toBe(5);
    expect([...(await repo.allBlobKeys())].sort()).toEqual([
      'pkg.case/1.0.0/u1', 'pkg.case/2.0.0/u2', 'pkg.listing/1.0.0/u10', 'pkg.listing/1.1.0-beta.2/u11', 'pkg.listing/2.0.0/u12',
    ]);
    const asked = ['pkg.case/1.0.0/u1', 'pkg.case/1.0.0/u9', 'pkg.case/3.0.0/u1', 'pkg.case/1.0.0', 'pkg.case/1.0.0/u1/x', '', 'pkg.listing/2.0.0/u12'];
    expect([...(await repo.referencedBlobKeys(asked))].sort()).toEqual(['pkg.case/1.0.0/u1', 'pkg.listing/2.0.0/u12']);
    expect(await repo.referencedBlobKeys([])).toEqual(new Set());
    expect(await repo.isBlobKeyReferenced('pkg.case/2.0.0/u2')).toBe(true);
    expect(await repo.isBlobKeyReferenced('pkg.case/2.0.0/u1')).toBe(false);
    expect(await repo.isBlobKeyReferenced('pkg.case/2.0.0')).toBe(false);
  });
});

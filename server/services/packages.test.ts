/**
 * The package service with object-literal dependencies: unlist and relist speak in domain errors
 * (PackageNotFoundError, mapped to the same 404 messages as before by server/errors.ts) and tell the
 * invalidator which id changed; an invalid package leaves nothing stored.
 */
import { describe, expect, it } from 'vitest';
import { InvalidPackageError } from '../../feed/errors.ts';
import { mapError } from '../errors.ts';
import { PackageNotFoundError } from './errors.ts';
import { PackageService, type PackageServiceDeps } from './packages.ts';

function service(found: boolean) {
  const changed: string[] = [];
  const listed: unknown[][] = [];
  const stored: string[] = [];
  const deps: PackageServiceDeps = {
    repo: {
      insertVersion: async () => {
        throw new Error('no insert expected');
      },
      setListed: async (...args) => (listed.push(args), found),
    },
    blobs: { storeFiles: async (key) => void stored.push(key), remove: async () => {} },
    invalidator: { packageChanged: (id) => void changed.push(id) },
    clock: () => new Date('2026-03-02T10:15:00Z'),
    log: { warn() {}, info() {} },
  };
  return { svc: new PackageService(deps), changed, listed, stored };
}

describe('PackageService', () => {
  it('unlists a known version by its lower id and version key, and says the id changed', async () => {
    const { svc, changed, listed } = service(true);
    await svc.setListed('Contoso.Tools', '1.0.0.0', false);
    expect(listed).toEqual([['contoso.tools', '1.0.0', false, new Date('2026-03-02T10:15:00Z')]]);
    expect(changed).toEqual(['contoso.tools']);
  });

  it('throws PackageNotFoundError, answered 404 with the same messages, for unknown and impossible identities', async () => {
    const { svc, changed } = service(false);
    const cases: [string, string, string][] = [
      ['Contoso.Tools', '2.0.0', 'Package Contoso.Tools 2.0.0 was not found.'],
      ['Contoso.Tools', 'not.a.version!', 'Package Contoso.Tools not.a.version! was not found: the version is not a valid NuGet version.'],
      ['../etc', '1.0.0', 'No package has the id "../etc".'],
    ];
    for (const [id, version, message] of cases) {
      const err = await svc.setListed(id, version, true).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PackageNotFoundError);
      expect(mapError(err)).toEqual({ status: 404, message, headers: {}, internal: false });
    }
    expect(changed).toEqual([]);
  });

  it('refuses bytes that are not a package with InvalidPackageError and stores nothing', async () => {
    const { svc, stored, changed } = service(true);
    const bytes = Buffer.from('not a zip');
    const err = await svc.push({ path: '/nonexistent', bytes, size: bytes.length, sha512: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidPackageError);
    expect(mapError(err).status).toBe(400);
    expect(stored).toEqual([]);
    expect(changed).toEqual([]);
  });
});

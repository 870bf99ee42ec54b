/**
 * The HTTP rules the app and the raw fast path share: which URLs vary by User-Agent, which stored
 * file a flat-container URL names, the file ETag, and the API key comparison.
 */
import { describe, expect, it } from 'vitest';
import { basicPassword, keysEqual } from './auth.ts';
import { documentCacheKey, requestTarget } from './documents.ts';
import { fileEtag, resolveFlatFile } from './files.ts';
import { agentVariant } from './variant.ts';
import { versionKeyParam } from './params.ts';

describe('agentVariant', () => {
  it('varies only the service index, in any letter case and with any query', () => {
    for (const target of ['/index.json', '/v3/index.json', '/V3/Index.JSON', '/v3/index.json?semVerLevel=2.0.0&anything-long-enough=1']) {
      expect(agentVariant(target, 'ModuleFast/0.6.0')).toBe('modulefast');
      expect(agentVariant(target, 'NuGet Command Line/6.8')).toBe('full');
      expect(agentVariant(target, undefined)).toBe('full');
    }
    for (const target of ['/v3/dependencies/index.json', '/v3/registration/x/index.json', '/index.jsonx', '/v3/index.json/', '/']) {
      expect(agentVariant(target, 'ModuleFast/0.6.0')).toBe('');
    }
  });

  it('keys documents by base, lower-cased path, query as sent and variant', () => {
    expect(documentCacheKey('http://h', '/V3/Index.json?Q=A', 'full')).toBe('http://h|/v3/index.json?Q=A|full');
    expect(requestTarget('http://h:1/v3/x?y=1')).toBe('/v3/x?y=1');
    expect(requestTarget('http://h:1')).toBe('/');
  });
});

describe('resolveFlatFile', () => {
  const resolve = (id: string, version: string, file: string) => resolveFlatFile(id, version, versionKeyParam(version), file);

  it('names the nupkg under any spelling of the folder version, the nuspec, the readme and the icon', () => {
    expect(resolve('contoso.tools', '1.0.0', 'contoso.tools.1.0.0.nupkg')).toBe('package.nupkg');
    expect(resolve('contoso.tools', '1.0.0', 'contoso.tools.1.0.0.0.nupkg')).toBe('package.nupkg');
    expect(resolve('contoso.tools', '1.0.0.0', 'contoso.tools.1.0.0.nupkg')).toBe('package.nupkg');
    expect(resolve('contoso.tools', '01.0.0', 'contoso.tools.1.0.00.nupkg')).toBe('package.nupkg');
    expect(resolve('contoso.tools', '1.0.0-beta', 'contoso.tools.1.0.0-beta.nupkg')).toBe('package.nupkg');
    expect(resolve('contoso.tools', '1.0.0', 'contoso.tools.nuspec')).toBe('package.nuspec');
    expect(resolve('contoso.tools', 'not-a-version', 'contoso.tools.nuspec')).toBe('package.nuspec');
    expect(resolve('contoso.tools', '1.0.0', 'readme')).toBe('readme');
    expect(resolve('contoso.tools', '1.0.0', 'icon')).toBe('icon');
  });

  it('names nothing for another version, another id, a broken version or another file', () => {
    expect(resolve('contoso.tools', '1.0.0', 'contoso.tools.1.0.1.nupkg')).toBeNull();
    expect(resolve('contoso.tools', '1.0.0', 'contoso.tools.1.0.0-beta.nupkg')).toBeNull();
    expect(resolve('contoso.tools', '1.0.0', 'contoso.toolsx1.0.0.nupkg')).toBeNull();
    expect(resolve('contoso.tools', '1.0.0', 'contoso.core.1.0.0.nupkg')).toBeNull();
    expect(resolve('contoso.tools', '1.0.0', 'contoso.tools.nupkg')).toBeNull();
    expect(resolve('contoso.tools', 'x.y', 'contoso.tools.x.y.nupkg')).toBeNull();
    expect(resolve('contoso.tools', '1.0.0', 'contoso.tools.1.0.0.zip')).toBeNull();
    expect(resolve('contoso.tools', '1.0.0', 'contoso.tools.x.nuspec')).toBeNull();
    expect(resolve('contoso.tools', '1.0.0', 'license')).toBeNull();
  });

  it('gives each stored file an ETag of its upload id and name', () => {
    expect(fileEtag('contoso.tools/1.0.0/0b9e-u1', 'package.nupkg')).toBe('"0b9e-u1-package.nupkg"');
    expect(fileEtag('contoso.tools/1.0.0/0b9e-u2', 'package.nupkg')).not.toBe(fileEtag('contoso.tools/1.0.0/0b9e-u1', 'package.nupkg'));
  });
});

describe('API keys', () => {
  it('compares keys of any length and takes the Basic password', () => {
    expect(keysEqual('secret', 'secret')).toBe(true);
    expect(keysEqual('secret', 'secret2')).toBe(false);
    expect(keysEqual('', 'x')).toBe(false);
    expect(basicPassword(`Basic ${Buffer.from('me:p:w').toString('base64')}`)).toBe('p:w');
    expect(basicPassword(`basic ${Buffer.from('only').toString('base64')}`)).toBe('only');
    expect(basicPassword('Bearer abc')).toBeNull();
    expect(basicPassword(`Basic ${Buffer.from('me:').toString('base64')}`)).toBeNull();
  });
});

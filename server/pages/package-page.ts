/**
 * The human-readable package page behind PackageDetailsUriTemplate/5.1.0 (`/packages/{id}/{version}`):
 * description, versions, dependencies and the commands to install it with each client.
 */
import { NuGetVersion } from '../../feed/version.ts';
import type { FeedUrls } from '../../feed/urls.ts';
import type { PackageRecord } from '../../feed/types.ts';
import { escapeHtml } from './html.ts';

const esc = escapeHtml;

/**
 * Renders the page for one version (`versionKey`), or for the newest listed version when null.
 *
 * @param records every version of one id (non-empty)
 * @returns HTML, or null when `versionKey` names no stored version
 */
export function renderPackagePage(records: PackageRecord[], versionKey: string | null, urls: FeedUrls): string | null {
  const sorted = records
    .map((r) => ({ r, v: NuGetVersion.parse(r.version) }))
    .sort((a, b) => b.v.compareTo(a.v))
    .map((x) => x.r);
  const chosen = versionKey
    ? sorted.find((r) => r.version.toLowerCase() === versionKey)
    : (sorted.find((r) => r.listed && !r.isPrerelease) ?? sorted.find((r) => r.listed) ?? sorted[0]);
  if (!chosen) return null;
  const v = chosen.moduleVersion ?? chosen.version;
  const isModule = chosen.tags.some((t) => /^ps(module|script)$/i.test(t));
  const deps = chosen.dependencyGroups
    .map(
      (g) =>
        `<li>${esc(g.targetFramework ?? 'any framework')}: ${
          g.dependencies.length ? g.dependencies.map((d) => `${esc(d.id)} ${esc(d.range)}`).join(', ') : 'no dependencies'
        }</li>`,
    )
    .join('');
  const versions = sorted
    .map(
      (r) =>
        `<li><a href="${esc(`${urls.base}/packages/${r.id.toLowerCase()}/${r.version.toLowerCase()}`)}">${esc(r.version)}</a>${
          r.listed ? '' : ' (unlisted)'
        } · ${r.downloads} downloads</li>`,
    )
    .join('');
  const install = isModule
    ? `Install-PSResource -Name ${chosen.id} -Version ${v} -Repository Galleon\nnpx galleon install "${chosen.id}=${v}" --source ${urls.serviceIndex()}`
    : `dotnet add package ${chosen.id} --version ${chosen.version}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(chosen.id)} ${esc(v)} · Galleon</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:.75rem;overflow:auto}</style></head>
<body><h1>${esc(chosen.id)} <small>${esc(v)}</small></h1>
${chosen.listed ? '' : '<p><strong>This version is unlisted.</strong></p>'}
<p>${esc(chosen.description)}</p>
<p>Authors: ${esc(chosen.authors)}${chosen.tags.length ? ` · Tags: ${chosen.tags.map(esc).join(', ')}` : ''}</p>
<h2>Install</h2><pre>${esc(install)}</pre>
<p><a href="${esc(urls.nupkg(chosen.id, chosen.version))}">Download the .nupkg</a> (${chosen.packageSize} bytes)</p>
<h2>Dependencies</h2><ul>${deps || '<li>none</li>'}</ul>
<h2>Versions</h2><ul>${versions}</ul>
</body></html>`;
}

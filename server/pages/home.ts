/**
 * The page at `/` (until the web UI replaces it): what this server is, its service index URL, how to
 * point each client at it (dotnet, PSResourceGet, PowerShellGet 2, ModuleFast, `galleon install`),
 * and how many packages it holds. Every value is escaped; the page has no script.
 */
import type { FeedUrls } from '../../feed/urls.ts';
import { escapeHtml as esc, strictCsp } from './html.ts';

/** What the home page shows besides the URLs. */
export interface HomeFacts {
  /** package ids with at least one listed version */
  packages: number;
  /** stored versions, unlisted included */
  versions: number;
  /** whether pushes are accepted (an API key is configured) */
  writesEnabled: boolean;
}

const CSS =
  'body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}' +
  'pre{background:#f4f4f4;padding:.75rem;overflow:auto}code{background:#f4f4f4;padding:0 .2rem}';

/** The Content-Security-Policy header value the home page must be sent with (its one inline style allowed). */
export const HOME_CSP = strictCsp(CSS);

/** Renders the home page for the links of `urls`. */
export function renderHomePage(urls: FeedUrls, facts: HomeFacts): string {
  const index = urls.serviceIndex();
  const modulefastIndex = `${urls.base}/index.json`;
  const push = urls.publish();
  const block = (title: string, text: string) => `<h3>${esc(title)}</h3><pre>${esc(text)}</pre>`;
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Galleon</title>
<style>${CSS}</style></head>
<body><h1>Galleon</h1>
<p>A self-hosted NuGet v3 gallery for .NET packages, PowerShell modules and scripts. It holds
${esc(count(facts.packages, 'package', 'packages'))} (${esc(count(facts.versions, 'version', 'versions'))}).
${facts.writesEnabled ? 'Pushes need the server&#39;s API key.' : 'Pushes are disabled: the server has no API key (GALLEON_API_KEY).'}</p>
<p>Service index: <a href="${esc(index)}"><code>${esc(index)}</code></a></p>
<h2>Point a client at it</h2>
${block('dotnet (nuget.config)', `dotnet nuget add source ${index} --name galleon\ndotnet nuget push My.Package.1.0.0.nupkg --source galleon --api-key <key>`)}
${block('PSResourceGet (PowerShell 7.4+)', `Register-PSResourceRepository -Name Galleon -Uri ${index} -Trusted\nInstall-PSResource -Name MyModule -Repository Galleon`)}
${block('PowerShellGet 2.x', `Register-PSRepository -Name Galleon -SourceLocation ${index} -PublishLocation ${push}\nInstall-Module -Name MyModule -Repository Galleon`)}
${block('ModuleFast', `Install-ModuleFast -Source ${modulefastIndex} MyModule`)}
${block('galleon install', `npx galleon install MyModule --source ${modulefastIndex}`)}
</body></html>`;
}

import { modulePackage, multipartBody } from './lib/packages.ts';
import { request, Agent } from 'undici';
const url = process.argv[2]; const n = Number(process.argv[3] ?? 1000); const prefix = process.argv[4] ?? 'P';
const agent = new Agent({ connections: 1 });
const bodies = [];
for (let i = 0; i < n; i++) bodies.push(multipartBody(await modulePackage(`${prefix}Mod${i}`, '1.0.0', i)));
const t = performance.now();
for (const b of bodies) {
  const r = await request(url + '/api/v2/package', { method: 'PUT', body: Buffer.concat(b.parts), headers: { 'content-type': b.contentType, 'x-nuget-apikey': 'k' }, dispatcher: agent });
  await r.body.dump(); if (r.statusCode !== 201) throw new Error(String(r.statusCode));
}
const ms = performance.now() - t;
console.log(`${n} pushes in ${ms.toFixed(0)} ms = ${(n / ms * 1000).toFixed(0)}/s`);

/**
 * The `galleon` command: `galleon serve` runs the gallery, `galleon gc` checks its package folders
 * (server/gc.ts); `galleon install` and `galleon sync` are the reference client (client/).
 * `galleon --help` lists them.
 */
// config.ts (zod) and the server load only for `galleon serve` and the help text: the client
// commands start without them
const help = (CONFIG_FLAGS: Record<string, string>) => `galleon: a NuGet v3 gallery for PowerShell modules and .NET packages

Usage:
  galleon serve [options]      run the gallery server
  galleon install [specs...]   install PowerShell modules from a NuGet v3 feed (run "galleon install --help")
  galleon sync <spec.yaml>     keep a project's module folder in line with a YAML spec ("galleon sync --help")
  galleon gc [--apply]         find package folders no database row references (a dry run; "galleon gc --help")

Options of "galleon serve" (each also an environment variable):
${Object.entries(CONFIG_FLAGS)
  .map(([flag, env]) => `  ${flag.padEnd(18)} ${env}`)
  .join('\n')}

Defaults: http://127.0.0.1:5555, data under ./data, embedded database, writes disabled until
GALLEON_API_KEY is set, 250 MB package limit.
`;

/** Runs the CLI with `argv` (without node and script); returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(help((await import('./config.ts')).CONFIG_FLAGS));
    return command ? 0 : 2;
  }
  if (command === 'serve') {
    const { applyFlags, CONFIG_FLAGS, ConfigError, loadConfig } = await import('./config.ts');
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(help(CONFIG_FLAGS));
      return 0;
    }
    let config;
    try {
      config = loadConfig(applyFlags(rest, process.env));
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`galleon: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
    const { startServer } = await import('./serve.ts');
    await startServer(config, { installSignalHandlers: true });
    return -1; // keep running
  }
  if (command === 'gc') {
    const { runGc } = await import('./gc.ts');
    return runGc(rest);
  }
  if (command === 'install' || command === 'sync') {
    const mod = await import('../client/cli.ts');
    return mod.runClientCommand(command, rest);
  }
  process.stderr.write(`galleon: unknown command "${command}". Run "galleon --help".\n`);
  return 2;
}

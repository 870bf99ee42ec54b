/**
 * PowerShell data files (`.psd1`): the public face of the room. Importers outside `feed/psd1/` import from
 * here; the files behind it are
 *
 * - `values.ts`: `PsValue`, `PsHashtable` and PowerShell's conversions (`toStr`, `isTrue`);
 * - `parser.ts`: the restricted data language parser (`parsePowerShellDataFile`, `parsePowerShellValue`);
 * - `evaluate.ts`: the dynamic constructs ModuleFast evaluates (operators, casts, default variables);
 * - `manifest.ts`: module manifest readers (`readModuleManifest`, `readRequiredModules`).
 */

export { PsHashtable, isTrue, toStr, type PsValue } from './values.ts';
export { DEFAULT_PS_VARIABLES } from './evaluate.ts';
export {
  MAX_DEPTH,
  Psd1SyntaxError,
  parsePowerShellDataFile,
  parsePowerShellValue,
  type Psd1ParseOptions,
} from './parser.ts';
export {
  ModuleManifestError,
  readModuleManifest,
  readRequiredModules,
  type ModuleManifestInfo,
  type RequiredModule,
} from './manifest.ts';

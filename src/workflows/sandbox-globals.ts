/**
 * The workflow sandbox has no Blob, File, FormData, Headers, Request, Response or URL. ArkType (loaded through the
 * models the health engine imports) reads these constructors when its module loads, only to classify objects, so
 * each missing one gets an inert placeholder class here. Imported first by the workflow entry so it runs before
 * ArkType; deterministic, and no workflow code may use these names.
 */
const placeholders = ['Blob', 'File', 'FormData', 'Headers', 'Request', 'Response', 'URL'] as const;
const scope: Record<string, unknown> = globalThis;
for (const name of placeholders) {
  if (scope[name] === undefined) {
    scope[name] = class {
      readonly sandboxPlaceholder = name;
    };
  }
}

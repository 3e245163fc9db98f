/**
 * Optional peer dependencies, loaded when a feature first needs them: writing Parquet needs none of
 * them, so a writer-only install stays small. A missing one is an error that says what to install.
 */
export async function optionalImport<T>(name: string, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new Error(`${feature} needs the optional package ${name}: install it (npm i ${name})`, { cause: e });
    throw e;
  }
}

// Formats generated sources with prettier, using the repo's .prettierrc.json so
// generated and hand-written code look alike. Files are independent, so they
// are formatted concurrently.
import { format, resolveConfig } from 'prettier';

export async function formatSources(files: Map<string, string>, configFile: string): Promise<Map<string, string>> {
  const options = (await resolveConfig(configFile, { config: configFile })) ?? {};
  const formatted = await Promise.all(
    [...files].map(async ([path, source]) => {
      try {
        return [path, await format(source, { ...options, parser: 'typescript' })] as const;
      } catch (error) {
        throw new Error(`generated ${path} does not parse: ${(error as Error).message}`);
      }
    }),
  );
  return new Map(formatted);
}

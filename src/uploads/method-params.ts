// The params of a method as the schemas the generator emits describe them, so that
// an upload hands each of its two methods the params that method takes, in the form
// it takes them. Loaded on the first upload: the schemas are large, and most
// programs never upload.

export interface MethodParamSchema {
  /** Every param's name. */
  readonly names: ReadonlySet<string>;
  /** A value the upload host replied, in the form the param takes: a list of one for a
   * list (`stories.save`'s upload_results), text for a string (`photos.saveOwnerPhoto`'s
   * server, which hosts send as a number). The wire form is the same; the params
   * check sees the type the schema says. */
  asParam(name: string, value: unknown): unknown;
}

const known = new Map<string, MethodParamSchema>();

/** The params `method` takes in the schema (none for a method it lacks). */
export async function paramSchemaOf(method: string): Promise<MethodParamSchema> {
  const cached = known.get(method);
  if (cached !== undefined) return cached;
  const { paramsSchemas } = await import('../../generated/validation/params.js');
  const { properties = {} } = Object.hasOwn(paramsSchemas, method)
    ? (JSON.parse(paramsSchemas[method]!) as { properties?: Record<string, { type?: unknown }> })
    : {};
  const schema: MethodParamSchema = {
    names: new Set(Object.keys(properties)),
    asParam: (name, value) => {
      const type = Object.hasOwn(properties, name) ? properties[name]?.type : undefined;
      if (type === 'array') return [value];
      if (type === 'string' && typeof value === 'number') return String(value);
      return value;
    },
  };
  known.set(method, schema);
  return schema;
}

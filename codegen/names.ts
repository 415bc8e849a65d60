// Naming rules: schema names (snake_case, camelCase, with acronyms and version
// suffixes) become TypeScript names that read naturally and never collide.

/** users_user_full -> UsersUserFull; getUploadURL stays getUploadURL inside; 2fa -> _2fa. */
export function pascalCase(name: string): string {
  const out = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  return /^\d/.test(out) ? `_${out}` : out;
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property key as it must be written in a type literal or interface. */
export function propertyKey(name: string): string {
  return identifier.test(name) ? name : JSON.stringify(name);
}

export function isIdentifier(name: string): boolean {
  return identifier.test(name);
}

/**
 * Registers every emitted name once; a second registration of the same name is
 * a generator bug or a schema change that needs a naming decision, so it fails.
 */
export class NameRegistry {
  private readonly owners = new Map<string, string>();

  claim(name: string, owner: string): string {
    const previous = this.owners.get(name);
    if (previous !== undefined && previous !== owner) {
      throw new Error(`name clash: ${name} is wanted by ${previous} and by ${owner}`);
    }
    this.owners.set(name, owner);
    return name;
  }
}

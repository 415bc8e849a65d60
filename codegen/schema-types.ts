// The shapes of the VK API schema as the generator reads it (raw) and keeps it
// after normalization. Only the keywords the schema actually uses are listed.

export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  description?: string;
  format?: string;
  enum?: (string | number)[];
  enumNames?: string[];
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  /** Raw schema: a boolean on the property itself; normalized: an array on the object. */
  required?: boolean | string[];
  allOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  discriminator?: { propertyName: string; mapping?: Record<string, string> };
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  deprecated_from_version?: string;
  [keyword: string]: unknown;
}

export interface RawParam extends SchemaNode {
  name: string;
}

export interface RawMethod {
  name: string;
  description?: string;
  access_token_type?: string[];
  parameters?: RawParam[];
  responses: Record<string, { $ref: string; description?: string }>;
  errors?: { $ref: string }[];
  [keyword: string]: unknown;
}

export interface RawError {
  code: number;
  description?: string;
  global?: boolean;
  subcodes?: { $ref: string }[];
}

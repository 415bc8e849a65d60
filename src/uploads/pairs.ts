// Which save method takes what an upload-server method's host stored, read off the
// schema's method names: `<section>.get<Stem>Upload(Server|Url|URL)` is saved by the
// first of `<section>.save<Stem>`, `save<Stem>Photo`, `save<Stem>Image`,
// `saveUploaded<Stem>` and plain `save` that the schema has
// (photos.getMessagesUploadServer -> photos.saveMessagesPhoto, docs.getWallUploadServer
// -> docs.save, video.getThumbUploadUrl -> video.saveUploadedThumb). The few pairs no
// name says are data in kinds.ts. The rule exists twice, as code and as a type, and
// test/uploads/pairs.test.ts holds the two to the same answers.

import type { MethodName } from '../../generated/methods.js';
import { saveMethodOverrides } from './kinds.js';

const uploadServerName = /^([a-zA-Z]+)\.get(\w*?)Upload(?:Server|Url|URL)$/;

/** Whether the method's name says it returns an upload URL. */
export function isUploadServerName(method: string): boolean {
  return uploadServerName.test(method);
}

/** The save method of an upload-server method among `methods`, or undefined. */
export function saveMethodOf(server: string, methods: ReadonlySet<string>): string | undefined {
  if (Object.hasOwn(saveMethodOverrides, server))
    return saveMethodOverrides[server as keyof typeof saveMethodOverrides];
  const match = uploadServerName.exec(server);
  if (match === null) return undefined;
  const [, section, stem] = match as unknown as [string, string, string];
  const candidates = [`save${stem}`, `save${stem}Photo`, `save${stem}Image`, `saveUploaded${stem}`, 'save'];
  return candidates.map((verb) => `${section}.${verb}`).find((method) => methods.has(method));
}

type Overrides = typeof saveMethodOverrides;
type SaveCandidates<S extends string, Stem extends string> = [
  `${S}.save${Stem}`,
  `${S}.save${Stem}Photo`,
  `${S}.save${Stem}Image`,
  `${S}.saveUploaded${Stem}`,
  `${S}.save`,
];
type FirstMethod<C> = C extends [infer Head, ...infer Rest]
  ? Head extends MethodName
    ? Head
    : FirstMethod<Rest>
  : never;

/** `saveMethodOf` as a type: the save method of upload-server method `M`, or never. */
export type SaveMethodOf<M extends string> = M extends keyof Overrides
  ? Overrides[M]
  : M extends `${infer S}.get${infer Stem}Upload${'Server' | 'Url' | 'URL'}`
    ? FirstMethod<SaveCandidates<S, Stem>>
    : never;

// Where the tests find the repository and the shared material beside it,
// wherever in test/ a test file sits.
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

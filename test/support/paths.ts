// Where tests find their inputs: the repository, and the shared captures that sit beside
// the checkout (../shared/pcaps, laid there for developers and CI alike).

import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_PCAPS = path.resolve(REPO, '../shared/pcaps');
export const REAL_PCAPS = path.join(SHARED_PCAPS, 'real');
export const MALFORMED_PCAPS = path.join(SHARED_PCAPS, 'malformed');

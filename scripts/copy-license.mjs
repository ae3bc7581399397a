#!/usr/bin/env node
// `prepack` of every public package: puts the repository's LICENSE into the package folder so the
// tarball carries it (npm always packs a LICENSE file). The copies are git-ignored.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

copyFileSync(new URL('../LICENSE', import.meta.url), join(process.cwd(), 'LICENSE'));

#!/usr/bin/env node
import { serveMain } from './serveMain.js';

process.exitCode = await serveMain(process.argv.slice(2));

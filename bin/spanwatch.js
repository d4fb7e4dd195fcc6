#!/usr/bin/env node
// Entry point for the installed `spanwatch` command: runs the compiled CLI (make build).
import '../dist/cli/main.js';

#!/usr/bin/env node
// Placeholder entry point until the operator lands; keeps the workspace buildable.
process.stderr.write('junction-operator: not implemented yet\n');
process.exit(1);

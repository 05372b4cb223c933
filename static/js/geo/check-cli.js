#!/usr/bin/env node
// @ts-check
/**
 * For the Python test that holds the phone's geotag checks against the server's
 * (tests/geotag/test_rules_shared.py): one JSON request per line on stdin,
 * {"fix": Fix, "kelurahan": Area | null, "others": Fix[], "rules": GeotagRules},
 * one JSON line of warning codes on stdout, in order.
 */
import { createInterface } from 'node:readline';

import { checkGeotag } from './rules.js';

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  const warnings = checkGeotag(request.fix, { kelurahan: request.kelurahan, others: request.others ?? [] }, request.rules);
  process.stdout.write(`${JSON.stringify(warnings.map((w) => w.code))}\n`);
}

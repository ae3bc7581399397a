#!/usr/bin/env bash
# Installs what the notebooks need on a Debian machine (run as root, apt-get available):
#  - Debian's Jupyter client (nbclient, nbformat, jupyter_client) to execute notebooks headless;
#  - the Deno TypeScript kernel, from npm (the `deno` package carries the binary for each platform
#    as an npm dependency), registered as the `deno` kernelspec of this user.
# The workspace itself must be installed (`pnpm install`): the kernel runs the packages' TypeScript
# sources through notebooks/deno.json and resolves their npm dependencies from node_modules.
# Then: /usr/bin/python3 scripts/run-notebooks.py
set -euo pipefail
cd "$(dirname "$0")/.."

DENO_VERSION=2.9.6
TOOLS=.candlelab/tools/deno # git-ignored

if ! /usr/bin/python3 -c 'import nbclient, nbformat' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-nbclient python3-nbformat python3-jupyter-client jupyter-core
fi

mkdir -p "$TOOLS"
npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "deno@$DENO_VERSION"
"$TOOLS/node_modules/.bin/deno" --version
# Writes the kernelspec (the path of the deno binary) to the user's Jupyter data folder.
"$TOOLS/node_modules/.bin/deno" jupyter --install --force 2>&1 | grep -v 'is unstable'
/usr/bin/python3 -c 'from jupyter_client.kernelspec import KernelSpecManager as K; print("kernel:", K().get_kernel_spec("deno").argv[0])'

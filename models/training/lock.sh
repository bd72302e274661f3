#!/usr/bin/env bash
# Regenerates requirements.lock from requirements.txt: downloads every package (with its
# dependencies) from the configured mirrors and pins each file by version and sha256.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
INDEX=()
if [ -d /opt/pypi/simple ] && [ -z "${PIP_INDEX_URL:-}" ]; then INDEX=(--index-url file:///opt/pypi/simple); fi
python3 -m pip download -q --retries 0 --timeout 5 "${INDEX[@]}" -d "$dir" -r models/training/requirements.txt
{
  echo "# Hash-pinned lock of models/training/requirements.txt and every dependency: CPython 3.11 (cp311), Linux x86_64,"
  echo "# CPU-only torch. Installed with: pip install --require-hashes --no-deps -r models/training/requirements.lock"
  echo "# Regenerate: bash models/training/lock.sh"
  for f in "$dir"/*.whl; do
    base=$(basename "$f")
    name=$(echo "$base" | cut -d- -f1 | tr '_' '-' | tr 'A-Z' 'a-z')
    version=$(echo "$base" | cut -d- -f2)
    echo "$name==$version --hash=sha256:$(sha256sum "$f" | cut -d' ' -f1)"
  done
} > models/training/requirements.lock

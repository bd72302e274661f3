#!/usr/bin/env bash
# Creates models/training/.venv (or $VENV) with exactly the packages of requirements.lock:
# CPython 3.11, every package pinned by version and sha256 (--require-hashes), CPU-only torch.
# Skips the install when the venv already holds this lock (stamp = the lock's sha256).
# Packages come from the configured mirrors (this machine: /opt/wheels and /opt/pypi, through
# pip's own configuration); --index-url replaces the unreachable default index with the local
# mirror when it exists, so pip does not wait on the network.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${VENV:-models/training/.venv}
LOCK=models/training/requirements.lock
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  echo "requirements.lock is for CPython 3.11; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
  exit 1
fi
want=$(sha256sum "$LOCK" | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.lock-sha256" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "==> creating $VENV from $LOCK"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
INDEX=()
if [ -d /opt/pypi/simple ] && [ -z "${PIP_INDEX_URL:-}" ]; then INDEX=(--index-url file:///opt/pypi/simple); fi
"$VENV/bin/pip" install --disable-pip-version-check -q --retries 0 --timeout 5 "${INDEX[@]}" \
  --require-hashes --no-deps -r "$LOCK" 2>&1 | grep -v 'is ignored: it is neither a file nor a directory' || true
"$VENV/bin/python" -c 'import torch, sklearn, onnx, onnxruntime, matplotlib; assert "+cpu" in torch.__version__, torch.__version__'
echo "$want" > "$VENV/.lock-sha256"

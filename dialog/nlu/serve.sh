#!/usr/bin/env bash
# Run the Rasa NLU server on ${SHUBBAK_NLU_PORT:-5005}, preparing venv and model first if missing.
set -euo pipefail

nlu_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(cd "$nlu_dir/../.." && pwd)/.venv-rasa"
model="$nlu_dir/models/shubbak.tar.gz"
export RASA_TELEMETRY_ENABLED=false

if [[ ! -f "$model" || ! -x "$venv/bin/rasa" ]]; then
    "$nlu_dir/setup.sh"
fi
cd "$nlu_dir"
# --enable-api also exposes model upload and training endpoints: listen on loopback unless told otherwise.
exec "$venv/bin/rasa" run --enable-api -m "$model" \
    -i "${SHUBBAK_NLU_HOST:-127.0.0.1}" -p "${SHUBBAK_NLU_PORT:-5005}"

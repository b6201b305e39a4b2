#!/usr/bin/env bash
# Prepare the NLU service: a Python 3.10 venv with Rasa at <repo>/.venv-rasa and a trained model at
# dialog/nlu/models/shubbak.tar.gz. Idempotent: installs only when the requirements changed, trains
# only when the training data, config or requirements changed. Exit 3: no Python 3.10 on this machine.
set -euo pipefail

nlu_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(cd "$nlu_dir/../.." && pwd)"
venv="$repo_dir/.venv-rasa"
models="$nlu_dir/models"
model="$models/shubbak.tar.gz"
pyenv_python=/root/.pyenv/versions/3.10.13/bin/python3.10
# Telemetry and error reporting try to reach the internet, which these machines do not have.
export RASA_TELEMETRY_ENABLED=false

find_python() {
    if [[ -x "$pyenv_python" ]]; then echo "$pyenv_python"; return; fi
    command -v python3.10 || true
}

venv_is_310() {
    [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'
}

ensure_venv() {
    venv_is_310 && return
    local python
    python="$(find_python)"
    if [[ -z "$python" ]]; then
        echo "setup.sh: Rasa 3.6 needs Python 3.10; none at $pyenv_python nor python3.10 on PATH" >&2
        exit 3
    fi
    echo "setup.sh: creating $venv with $python"
    rm -rf "$venv"
    "$python" -m venv "$venv"
}

ensure_requirements() {
    local stamp="$venv/.shubbak-requirements.sha256" wanted
    wanted="$(sha256sum < "$nlu_dir/requirements.txt")"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then return; fi
    echo "setup.sh: installing $nlu_dir/requirements.txt (about 2 minutes, 2.7 GB)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$nlu_dir/requirements.txt"
    echo "$wanted" > "$stamp"
}

training_inputs_hash() {
    cat "$nlu_dir/config.yml" "$nlu_dir"/data/*.yml "$nlu_dir/requirements.txt" | sha256sum
}

ensure_model() {
    local stamp="$models/shubbak.sha256" wanted
    wanted="$(training_inputs_hash)"
    if [[ -f "$model" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
        echo "setup.sh: model up to date ($model)"
        return
    fi
    echo "setup.sh: training $model"
    (cd "$nlu_dir" && "$venv/bin/rasa" train nlu --config config.yml --nlu data --out models \
        --fixed-model-name shubbak)
    echo "$wanted" > "$stamp"
}

mkdir -p "$models"
# Test sessions and a hand-started server may run this at once: one at a time.
exec 9> "$models/.setup.lock"
flock 9
ensure_venv
ensure_requirements
ensure_model

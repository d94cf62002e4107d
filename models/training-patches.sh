# shellcheck shell=bash disable=SC2154  # work is the caller's
# Sourced by models/train-*.sh: what they do before training. Sets `tool` (the script's name, for
# messages) and `root` (the repository), and brings parse_options (scripts/options.sh); the caller
# sets `work` (its work folder).

tool=$(basename "$0" .sh)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/options.sh
source "$root/scripts/options.sh"

# Exits unless the trainer's Python packages are installed.
need_torch() {
  /usr/bin/python3 -c 'import torch, PIL' 2>/dev/null ||
    { echo "$tool: needs PyTorch and Pillow: apt-get install python3-torch python3-pil" >&2; exit 1; }
}

# Sets `synth` and `edge` to the built programs; exits when they are not built.
need_built_programs() {
  synth=$root/build/bin/anpr-synth
  edge=$root/build/bin/anpr-edge
  [[ -x $synth && -x $edge ]] || { echo "$tool: build first (cmake --preset default && cmake --build --preset default)" >&2; exit 1; }
}

# make_patches NAME COUNT FIRST_SEED MODEL_OPTION DUMP_OPTION DUMP_FOLDER [SYNTH_ARGS...]
# Patches cut by the reader from COUNT synthetic plates, in folders $work/NAME-0.. (one shard per
# core, seeds from FIRST_SEED): `anpr-synth plates` with SYNTH_ARGS writes each shard's scenes,
# `anpr-edge eval` with the model being replaced turned off (MODEL_OPTION none, so the patches do
# not depend on it) writes their patches with DUMP_OPTION into the shard's DUMP_FOLDER. Done once
# ($work/NAME.done); every shard must succeed.
make_patches() {
  local name=$1 count=$2 first_seed=$3 model_option=$4 dump_option=$5 dump_folder=$6
  shift 6
  [[ -f $work/$name.done ]] && return 0
  rm -rf "$work/$name-"*
  local jobs per_shard shard_pids=() s pid
  jobs=$(nproc)
  per_shard=$(( (count + jobs - 1) / jobs ))
  for ((s = 0; s < jobs; s++)); do
    (
      "$synth" plates --count "$per_shard" --seed $((first_seed + s)) --out "$work/$name-$s" \
        --width 640 --height 480 "$@" >/dev/null
      OMP_THREAD_LIMIT=1 "$edge" eval "$work/$name-$s/manifest.csv" "$model_option" none \
        "$dump_option" "$work/$name-$s/$dump_folder" >/dev/null 2>"$work/$name-$s/eval.log"
      tail -1 "$work/$name-$s/eval.log"
    ) &
    shard_pids+=($!)
  done
  # A model trained on part of the data is not the recipe's model.
  for pid in "${shard_pids[@]}"; do
    wait "$pid" || { echo "$tool: a shard failed (see $work/$name-*/eval.log)" >&2; exit 1; }
  done
  touch "$work/$name.done"
}

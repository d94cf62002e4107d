#!/usr/bin/env bash
# Trains models/plate-verifier.onnx: the reader's plate / not-a-plate check (see models/README.md).
#
# The candidates are the ones the reader itself reports: `anpr-synth plates --training
# --distractors` renders plates (UK formats and European layouts, 17 Debian fonts, front/rear
# colours, perspective, blur, noise, JPEG, glare, dirt, night) into scenes among road and shop
# signs, dealer legends, stickers, radiator grilles and road markings; `anpr-edge eval
# --dump-patches` runs the real reader over them and cuts the verifier's patch of every candidate
# the detector proposes, labelled plate or not by the scene's plate box. No real photo is used, so every real-photo
# figure in docs/accuracy.md stays a measurement. models/train-plate-verifier.py trains a small CNN
# (PyTorch from Debian: apt-get install python3-torch python3-pil) and writes ONNX.
#
# --uk-font FILE draws a share (--uk-font-share, default 0.5) of the UK plates in the real UK plate
# typeface (../shared/fonts/CharlesWright-Bold.otf on a development machine): a plate must look like
# a plate in the typeface every UK plate uses. Only images rendered with it and the model trained on
# them are used, never the font itself; the committed model was trained with it (models/README.md).
#
# --world-share S (default 0.4) draws that share of the European-layout plates in styles from
# outside Europe (2:1, coloured backgrounds and characters, a name line above and a slogan below,
# stickers): a check that has seen only white and yellow plates turns such plates away as signs.
#
# Usage: models/train-plate-verifier.sh [--scenes N] [--seed S] [--epochs N] [--work DIR]
#                                       [--uk-font FILE] [--uk-font-share S] [--world-share S]
# Needs a configured build (build/bin/anpr-synth, build/bin/anpr-edge). About 40 minutes on the
# 2-core development machine with the defaults. The data is deterministic for a given seed; the
# training is deterministic on one machine (one thread, fixed seed).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scenes=5000
seed=5001
epochs=15
work=${TMPDIR:-/tmp}/anpr-plate-verifier
uk_font=none
uk_font_share=0.5
world_share=0.4
while [[ $# -gt 0 ]]; do
  case $1 in
    --scenes) scenes=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --uk-font) uk_font=$2; shift 2 ;;
    --uk-font-share) uk_font_share=$2; shift 2 ;;
    --world-share) world_share=$2; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "train-plate-verifier: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

/usr/bin/python3 -c 'import torch, PIL' 2>/dev/null ||
  { echo "train-plate-verifier: needs PyTorch and Pillow: apt-get install python3-torch python3-pil" >&2; exit 1; }
synth=$root/build/bin/anpr-synth
edge=$root/build/bin/anpr-edge
[[ -x $synth && -x $edge ]] || { echo "train-plate-verifier: build first (cmake --preset default && cmake --build --preset default)" >&2; exit 1; }

font_args=()
if [[ $uk_font != none ]]; then
  [[ -f $uk_font ]] || { echo "train-plate-verifier: --uk-font $uk_font not found" >&2; exit 2; }
  font_args=(--uk-font "$uk_font" --uk-font-share "$uk_font_share")
  echo "train-plate-verifier: $uk_font_share of the UK plates in $uk_font"
fi
jobs=$(nproc)
mkdir -p "$work"
echo "train-plate-verifier: $scenes scenes, seed $seed, $epochs epochs, work folder $work"

# 1. Candidate patches, one shard per core. The reader runs without a verifier, so the patches
# do not depend on the model being replaced.
if [[ ! -f $work/patches.done ]]; then
  rm -rf "$work/shard-"*
  per_shard=$(( (scenes + jobs - 1) / jobs ))
  shard_pids=()
  for ((s = 0; s < jobs; s++)); do
    (
      "$synth" plates --training --distractors --count "$per_shard" --seed $((seed + s)) --out "$work/shard-$s" \
        --width 640 --height 480 --world-share "$world_share" "${font_args[@]}" >/dev/null
      OMP_THREAD_LIMIT=1 "$edge" eval "$work/shard-$s/manifest.csv" --verifier-model none \
        --dump-patches "$work/shard-$s/patches" >/dev/null 2>"$work/shard-$s/eval.log"
      tail -1 "$work/shard-$s/eval.log"
    ) &
    shard_pids+=($!)
  done
  # Every shard must succeed: a model trained on part of the data is not the recipe's model.
  for pid in "${shard_pids[@]}"; do
    wait "$pid" || { echo "train-plate-verifier: a shard failed (see $work/shard-*/eval.log)" >&2; exit 1; }
  done
  touch "$work/patches.done"
fi

# 2. Train and export.
/usr/bin/python3 "$root/models/train-plate-verifier.py" --epochs "$epochs" --out "$root/models/plate-verifier.onnx" \
  "$work"/shard-*/patches

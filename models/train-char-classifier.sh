#!/usr/bin/env bash
# Trains models/plate-chars.onnx: the reader's per-character classifier (see models/README.md).
#
# The characters are the ones the reader itself segments: `anpr-synth plates --training` renders
# plates (UK formats and European layouts, 17 Debian fonts, front/rear colours, dashes and emblems,
# perspective, blur, noise, JPEG, glare, dirt, night) into scenes; `anpr-edge eval --dump-chars`
# runs the real detector and rectifier over them and cuts the patch of every character of each
# plate found nearly whole, labelled with the truth. No real photo is used, so the real-photo
# measurements in docs/accuracy.md stay unseen. models/train-char-classifier.py then trains a
# small CNN (PyTorch from Debian: apt-get install python3-torch python3-pil) and writes ONNX.
#
# --uk-font FILE draws a share (--uk-font-share, default 0.8) of the UK plates in the real UK plate
# typeface (../shared/fonts/CharlesWright-Bold.otf on a development machine): only images rendered
# with it and a model trained on them may enter the repository, never the font. The committed
# model is the default recipe, without it (docs/accuracy.md: trained with it, measured, not kept).
#
# Usage: models/train-char-classifier.sh [--plates N] [--seed S] [--epochs N] [--work DIR]
#                                        [--uk-font FILE] [--uk-font-share S]
# Needs a configured build (build/bin/anpr-synth, build/bin/anpr-edge). About 35 minutes on the
# 2-core development machine with the defaults. The data is deterministic for a given seed; the
# training is deterministic on one machine (one thread, fixed seed).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
plates=6000
seed=3001
epochs=20
work=${TMPDIR:-/tmp}/anpr-char-classifier
uk_font=none
uk_font_share=0.8
while [[ $# -gt 0 ]]; do
  case $1 in
    --plates) plates=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --uk-font) uk_font=$2; shift 2 ;;
    --uk-font-share) uk_font_share=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "train-char-classifier: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

/usr/bin/python3 -c 'import torch, PIL' 2>/dev/null ||
  { echo "train-char-classifier: needs PyTorch and Pillow: apt-get install python3-torch python3-pil" >&2; exit 1; }
synth=$root/build/bin/anpr-synth
edge=$root/build/bin/anpr-edge
[[ -x $synth && -x $edge ]] || { echo "train-char-classifier: build first (cmake --preset default && cmake --build --preset default)" >&2; exit 1; }

font_args=()
if [[ $uk_font != none ]]; then
  [[ -f $uk_font ]] || { echo "train-char-classifier: --uk-font $uk_font not found" >&2; exit 2; }
  font_args=(--uk-font "$uk_font" --uk-font-share "$uk_font_share")
  echo "train-char-classifier: $uk_font_share of the UK plates in $uk_font"
fi
jobs=$(nproc)
mkdir -p "$work"
echo "train-char-classifier: $plates plates, seed $seed, $epochs epochs, work folder $work"

# 1. Character patches, one shard per core. The reader runs without a classifier, so the patches
# do not depend on the model being replaced.
if [[ ! -f $work/patches.done ]]; then
  rm -rf "$work/shard-"*
  per_shard=$(( (plates + jobs - 1) / jobs ))
  shard_pids=()
  for ((s = 0; s < jobs; s++)); do
    (
      "$synth" plates --training --count "$per_shard" --seed $((seed + s)) --out "$work/shard-$s" \
        --width 640 --height 480 "${font_args[@]}" >/dev/null
      OMP_THREAD_LIMIT=1 "$edge" eval "$work/shard-$s/manifest.csv" --char-model none \
        --dump-chars "$work/shard-$s/chars" >/dev/null 2>"$work/shard-$s/eval.log"
      tail -1 "$work/shard-$s/eval.log"
    ) &
    shard_pids+=($!)
  done
  # Every shard must succeed: a model trained on part of the data is not the recipe's model.
  for pid in "${shard_pids[@]}"; do
    wait "$pid" || { echo "train-char-classifier: a shard failed (see $work/shard-*/eval.log)" >&2; exit 1; }
  done
  touch "$work/patches.done"
fi

# 2. Train and export.
/usr/bin/python3 "$root/models/train-char-classifier.py" --epochs "$epochs" --out "$root/models/plate-chars.onnx" \
  "$work"/shard-*/chars

#!/usr/bin/python3
"""Trains the plate character classifier (models/plate-chars.onnx) on character patches.

The patches come from the reader itself: `anpr-edge eval MANIFEST --dump-chars DIR` cuts every
character of the synthetic plates it reads nearly right exactly as it does at run time
(anpr::edge::character_patch) and labels it with the truth (DIR/labels.csv: file,label).
models/train-char-classifier.sh makes the synthetic plates and the patches, then calls this.

Debian 12 packages only: python3-torch, python3-numpy, python3-pil (no torchvision, no onnx
package needed: torch writes the ONNX file itself). Deterministic for a given --seed and data.

    train-char-classifier.py --out plate-chars.onnx DIR [DIR...] [--uk-typeface DIR ...]

Folders given with --uk-typeface hold patches of the UK plate typeface, which draws O and 0 (and
I and 1) with the same pixels: there a label stands for its pair, and the loss asks only that the
pair as a whole be likely (-log(p_O + p_0)). The plate's layout decides between them at run time;
the network keeps what the other fonts teach it about the difference.
"""
import argparse
import csv
import os
import sys

import numpy as np
import torch
from PIL import Image
from torch import nn

CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # anpr::edge::kCharClasses, in output order
PATCH_H, PATCH_W = 32, 24                          # anpr::edge::kCharPatchHeight/Width


# Characters one typeface draws alike: (label, its twin) as class indices.
LOOK_ALIKE = {"O": "0", "0": "O", "I": "1", "1": "I"}


def load(dirs):
    """Patches and labels of DIRS: a list of (folder, look_alike) pairs."""
    images, labels, twins = [], [], []
    for d, look_alike in dirs:
        with open(os.path.join(d, "labels.csv"), newline="") as f:
            for row in csv.reader(f):
                if len(row) != 2 or row[1] not in CLASSES:
                    continue
                img = np.asarray(Image.open(os.path.join(d, row[0])).convert("L"), dtype=np.uint8)
                if img.shape != (PATCH_H, PATCH_W):
                    sys.exit(f"{d}/{row[0]}: patch is {img.shape}, expected {(PATCH_H, PATCH_W)}")
                images.append(img)
                labels.append(CLASSES.index(row[1]))
                twin = LOOK_ALIKE.get(row[1]) if look_alike else None
                twins.append(CLASSES.index(twin) if twin else labels[-1])
    if not images:
        sys.exit("no labelled patches found in " + ", ".join(d for d, _ in dirs))
    x = torch.from_numpy(np.stack(images)).float().div_(255.0).unsqueeze(1)
    return x, torch.tensor(labels, dtype=torch.long), torch.tensor(twins, dtype=torch.long)


def pair_loss(logits, y, twin, smoothing):
    """Cross-entropy where a patch is right if it reads as its label or its label's twin (the
    same class where there is none), with label smoothing as nn.CrossEntropyLoss applies it."""
    logp = logits.log_softmax(1)
    pair = torch.logsumexp(torch.stack([logp.gather(1, y[:, None]), logp.gather(1, twin[:, None])], 0), 0)
    # A patch without a twin would count its class twice in logsumexp: log(2p) = log p + log 2.
    pair = torch.where((twin == y)[:, None], logp.gather(1, y[:, None]), pair)
    return ((1 - smoothing) * -pair.squeeze(1) + smoothing * -logp.mean(1)).mean()


class PlateCharNet(nn.Module):
    """Three conv blocks and a linear layer: ~60k weights, well under a millisecond per
    character on one ARM core through OpenCV's dnn module."""

    def __init__(self):
        super().__init__()

        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                                 nn.ReLU(inplace=True), nn.MaxPool2d(2))

        self.features = nn.Sequential(block(1, 24), block(24, 48), block(48, 64))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 4 * 3, len(CLASSES)))

    def forward(self, x):
        return self.classifier(self.features(x))


def augment(x, gen):
    """What the synthetic patches vary too little: the window's position and scale (segmentation
    jitter), contrast and noise."""
    n = x.shape[0]
    angle = (torch.rand(n, generator=gen) - 0.5) * 0.12
    scale = 1.0 + (torch.rand(n, generator=gen) - 0.5) * 0.2
    tx = (torch.rand(n, generator=gen) - 0.5) * 0.25
    ty = (torch.rand(n, generator=gen) - 0.5) * 0.15
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = nn.functional.affine_grid(theta, list(x.shape), align_corners=False)
    x = nn.functional.grid_sample(x, grid, padding_mode="border", align_corners=False)
    gamma = torch.exp((torch.rand(n, 1, 1, 1, generator=gen) - 0.5) * 0.8)
    x = x.clamp(1e-4, 1).pow(gamma)
    x = x + torch.randn(x.shape, generator=gen) * 0.04 * torch.rand(n, 1, 1, 1, generator=gen)
    # Stretched to 0..1 again, as character_patch() does.
    lo = x.amin(dim=(2, 3), keepdim=True)
    hi = x.amax(dim=(2, 3), keepdim=True)
    return (x - lo) / (hi - lo).clamp_min(1e-3)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+", help="folders written by anpr-edge eval --dump-chars")
    ap.add_argument("--uk-typeface", action="append", default=[], metavar="DIR",
                    help="a folder of patches in the UK plate typeface (O/0 and I/1 alike); repeatable")
    ap.add_argument("--out", required=True, help="ONNX file to write")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--holdout", type=float, default=0.1, help="share of patches held out to report accuracy")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    x, y, twin = load([(d, False) for d in args.dirs] + [(d, True) for d in args.uk_typeface])
    order = torch.randperm(len(y), generator=gen)
    n_hold = int(len(y) * args.holdout)
    hold, train = order[:n_hold], order[n_hold:]
    print(f"{len(y)} patches: {len(train)} to train, {n_hold} held out", flush=True)

    model = PlateCharNet()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = args.epochs * ((len(train) + 127) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    for epoch in range(args.epochs):
        model.train()
        perm = train[torch.randperm(len(train), generator=gen)]
        total = 0.0
        for i in range(0, len(perm), 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            loss = pair_loss(model(augment(x[idx], gen)), y[idx], twin[idx], 0.05)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            guess = model(x[hold]).argmax(1) if n_hold else None
            right = ((guess == y[hold]) | (guess == twin[hold])).float().mean().item() if n_hold else float("nan")
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / len(train):.4f}, held-out accuracy {right:.4f}",
              flush=True)

    model.eval()
    if n_hold:
        with torch.no_grad():
            guess = model(x[hold]).argmax(1)
        pairs = {}
        for t, g, w in zip(y[hold].tolist(), guess.tolist(), twin[hold].tolist()):
            if g not in (t, w):
                pairs[(CLASSES[t], CLASSES[g])] = pairs.get((CLASSES[t], CLASSES[g]), 0) + 1
        worst = sorted(pairs.items(), key=lambda kv: -kv[1])[:12]
        print("held-out confusions (truth>read count): " + " ".join(f"{t}>{g} {n}" for (t, g), n in worst))
    torch.onnx.export(model, torch.zeros(1, 1, PATCH_H, PATCH_W), args.out, input_names=["patch"],
                      output_names=["logits"], dynamic_axes={"patch": {0: "n"}, "logits": {0: "n"}}, opset_version=11)
    print("wrote " + args.out)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Trains the plate / not-a-plate check (models/plate-verifier.onnx) on candidate patches.

The patches come from the reader itself: `anpr-edge eval MANIFEST --dump-patches DIR` cuts every
candidate in the reader's pool exactly as it does at run time (anpr::edge::plate_patch) and labels
it plate (1, on a labelled plate box) or not (0, touching none) in DIR/labels.csv
(file,label,iou). models/train-plate-verifier.sh makes the synthetic scenes (plates
among signs, dealer legends, stickers, grilles and road markings) and the patches, then calls this.

Debian 12 packages only: python3-torch, python3-numpy, python3-pil. Deterministic for a given
--seed and data.

    train-plate-verifier.py --out plate-verifier.onnx DIR [DIR...]
"""
import argparse
import csv
import os
import sys

import numpy as np
import torch
from PIL import Image
from torch import nn

PATCH_H, PATCH_W = 32, 96  # anpr::edge::kPlatePatchHeight/Width


def load(dirs):
    images, labels = [], []
    for d in dirs:
        with open(os.path.join(d, "labels.csv"), newline="") as f:
            for row in csv.reader(f):
                if len(row) < 2 or row[1] not in ("0", "1"):
                    continue
                img = np.asarray(Image.open(os.path.join(d, row[0])).convert("L"), dtype=np.uint8)
                if img.shape != (PATCH_H, PATCH_W):
                    sys.exit(f"{d}/{row[0]}: patch is {img.shape}, expected {(PATCH_H, PATCH_W)}")
                images.append(img)
                labels.append(float(row[1]))
    if not images:
        sys.exit("no labelled patches found in " + ", ".join(dirs))
    x = torch.from_numpy(np.stack(images)).float().div_(255.0).unsqueeze(1)
    return x, torch.tensor(labels)


class PlateVerifierNet(nn.Module):
    """Four conv blocks and a linear layer over the whole patch (the layout matters: a plate's
    edge sits in the margin, its characters in the middle): ~40k weights, a fraction of a
    millisecond per candidate on one ARM core through OpenCV's dnn module."""

    def __init__(self):
        super().__init__()

        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                                 nn.ReLU(inplace=True), nn.MaxPool2d(2))

        self.features = nn.Sequential(block(1, 16), block(16, 32), block(32, 48), block(48, 48))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(48 * 2 * 6, 1))

    def forward(self, x):
        return self.classifier(self.features(x))


def augment(x, gen):
    """The candidate box's jitter (the detector's boxes wander by a character), contrast, noise."""
    n = x.shape[0]
    scale = 1.0 + (torch.rand(n, generator=gen) - 0.5) * 0.25
    tx = (torch.rand(n, generator=gen) - 0.5) * 0.12
    ty = (torch.rand(n, generator=gen) - 0.5) * 0.2
    zero = torch.zeros(n)
    theta = torch.stack([torch.stack([1 / scale, zero, tx], 1), torch.stack([zero, 1 / scale, ty], 1)], 1)
    grid = nn.functional.affine_grid(theta, list(x.shape), align_corners=False)
    x = nn.functional.grid_sample(x, grid, padding_mode="border", align_corners=False)
    gamma = torch.exp((torch.rand(n, 1, 1, 1, generator=gen) - 0.5) * 0.8)
    x = x.clamp(1e-4, 1).pow(gamma)
    x = x + torch.randn(x.shape, generator=gen) * 0.05 * torch.rand(n, 1, 1, 1, generator=gen)
    lo = x.amin(dim=(2, 3), keepdim=True)
    hi = x.amax(dim=(2, 3), keepdim=True)
    return (x - lo) / (hi - lo).clamp_min(1e-3)  # stretched to 0..1 again, as plate_patch() does


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+", help="folders written by anpr-edge eval --dump-patches")
    ap.add_argument("--out", required=True, help="ONNX file to write")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--holdout", type=float, default=0.1, help="share of patches held out to report accuracy")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(args.seed)
    x, y = load(args.dirs)
    order = torch.randperm(len(y), generator=gen)
    n_hold = int(len(y) * args.holdout)
    hold, train = order[:n_hold], order[n_hold:]
    positives = int(y[train].sum().item())
    print(f"{len(y)} patches ({int(y.sum().item())} plates): {len(train)} to train, {n_hold} held out", flush=True)

    model = PlateVerifierNet()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = args.epochs * ((len(train) + 127) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    # Classes weighted to count equally: the reader's threshold (0.5) is then the even point.
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(train) - positives) / max(1, positives)))
    for epoch in range(args.epochs):
        model.train()
        perm = train[torch.randperm(len(train), generator=gen)]
        total = 0.0
        for i in range(0, len(perm), 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            loss = loss_fn(model(augment(x[idx], gen)).squeeze(1), y[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            guess = (model(x[hold]).squeeze(1) > 0).float()
        kept = guess[y[hold] == 1].mean().item()
        rejected = 1 - guess[y[hold] == 0].mean().item()
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / len(train):.4f}, held out: plates kept {kept:.4f}, "
              f"not-plates rejected {rejected:.4f}", flush=True)

    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, PATCH_H, PATCH_W), args.out, input_names=["patch"],
                      output_names=["logit"], dynamic_axes={"patch": {0: "n"}, "logit": {0: "n"}}, opset_version=11)
    print("wrote " + args.out)


if __name__ == "__main__":
    main()

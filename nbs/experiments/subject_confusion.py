"""Which subjects a trained puppet model draws for "a <subject>": 8 samples per subject, read by the shipped judge.

    python nbs/experiments/subject_confusion.py runs/puppet-train > subject-confusion.json

Reads the VAE, text encoder, UNet and tokenizer that `imposter train-puppets` leaves in its work folder, and prints
JSON: the share of each subject's samples judged as that subject, and the confusions. A diagnosis of a model in
training; no committed result (its one record, on the first world-v2 model, is on the docs site's Records page).
"""
import argparse, json
from pathlib import Path
from collections import Counter
ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('work', nargs='?', default='runs/puppet-train', help="`imposter train-puppets`' work folder (default: runs/puppet-train)")
w = ap.parse_args().work
missing = [p for p in ('vae', 'text_encoder', 'unet', 'tokenizer/vocab.json') if not (Path(w) / p).exists()]
if missing: raise SystemExit(f"{w} is not a training work folder: it has no {', '.join(missing)}; give the --work folder of `imposter train-puppets`.")

import numpy as np   # the models' libraries load only once the folder is known to hold a model
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPTextModel, CLIPTokenizer
from imposter.puppet_train import make_pipeline
from imposter.puppet_card import sample_captions
from imposter.puppets import SUBJECTS
from imposter.puppet_judge import load_judge
tok = CLIPTokenizer(f'{w}/tokenizer/vocab.json', f'{w}/tokenizer/merges.txt', model_max_length=77)
pipe = make_pipeline(AutoencoderKL.from_pretrained(f'{w}/vae'), CLIPTextModel.from_pretrained(f'{w}/text_encoder'), tok,
                     UNet2DConditionModel.from_pretrained(f'{w}/unet'))
pipe.set_progress_bar_config(disable=True)
J = load_judge()
caps = [f'a {s}' for s in SUBJECTS for _ in range(8)]
ims = sample_captions(pipe, caps, list(range(50_000, 50_000 + len(caps))), 50, 7.5, 64)
p = J.predict(ims)['subject'].argmax(1)
conf = Counter((c[2:], J.subjects[k]) for c, k in zip(caps, p))
acc = {s: conf[(s, s)]/8 for s in SUBJECTS}
print(json.dumps(dict(per_subject=acc, mean=float(np.mean(list(acc.values()))), confusions={f'{a}->{b}': n for (a, b), n in conf.items() if a != b}), indent=1))

# Identity of samples of the source caption after the default finetune, per attribute, against the sampling cfg (dev split, first two sources).
# python nbs/experiments/identity_cfg.py RANK   -> prints one line per (source, cfg); parsed into results/puppet-train-v2/identity-vs-cfg.json
# A world-v2 record: it reads the cyclic world-v2 model and its body shades; it runs as committed at commit 21be3ad.
import sys, json, time, torch, numpy as np
torch.set_num_threads(1)
from imposter.models import load_pipeline
from imposter.puppets import identity_codes, IDENTITY
from imposter.puppet_judge import load_judge
from imposter.puppet_bench import load_benchmark
from imposter.finetune import finetune
from imposter.puppet_train import sample_captions
pipe = load_pipeline(); judge = load_judge()
rows = load_benchmark(split='dev')
firsts = list({r['source_image']: r for r in reversed(rows)}.values())[::-1][:2]
for r in firsts:
    art = finetune(pipe, r['source_image'], r['driving_image'], r['source_prompt'], r['driving_prompt'], progress=False, rank=int(sys.argv[1]))
    art.apply(pipe)
    codes = identity_codes(r['source_identity'], r['source_subject'])
    for cfg in (1.0, 2.0, 3.0, 5.0, 7.5):
        ims = sample_captions(pipe, [r['source_prompt']]*8, list(range(40000, 40008)), 50, cfg)
        p = judge.predict(ims)
        per = {k: float((p[k].argmax(1) == codes[k]).mean()) for k in IDENTITY}
        per['body_read'] = np.bincount(p['body'].argmax(1), minlength=4).tolist(); per['body_true'] = int(codes['body'])
        per['identity'] = float(np.mean([per[k] for k in IDENTITY]))
        print(r['source_prompt'], 'cfg', cfg, per, flush=True)
    art.remove(pipe)

"""Pick the LoRA learning rate and the calibrated guidance scales by measurement, on the embedded puppet model.

    python nbs/experiments/calibrate.py lr [N_PAIRS]      # the pair's denoising loss (fixed draws) after 500 steps, per lr
    python nbs/experiments/calibrate.py scales [N_PAIRS]  # ground-truth scores of calibrated guidance, per scale

Pairs: N_PAIRS (default 8) unseen-combination pairs of the puppet benchmark, every 4th; seeds 0 and 1; 50 DDIM steps,
CFG 7.5, K=5. Scores: silhouette IoU of the generated figure with the true target mask (pose), and the puppet
judge's probability of the source subject (subject). Writes nbs/experiments/results/calibrate-<what>.json.
"""
import json, sys, time
from pathlib import Path
import numpy as np, torch
from PIL import Image
from imposter import puppets
from imposter.puppet_bench import load_benchmark
from imposter.puppet_judge import load_judge
from imposter.models import load_pipeline
from imposter.finetune import finetune, encode_text, denoising_loss
from imposter.sampling import sample

what = sys.argv[1] if len(sys.argv) > 1 else 'scales'
n_pairs = int(sys.argv[2]) if len(sys.argv) > 2 else 8
rows = [r for r in load_benchmark(split='dev') if not r['seen']]  # tuning: the dev split only
PAIRS = [r['pair_id'] for r in rows][::4][:n_pairs]   # unseen pairs spread over the subjects
rows = [r for r in rows if r['pair_id'] in PAIRS]
pipe, judge = load_pipeline(None, 'cpu'), load_judge()
out = Path(__file__).parent / 'results' / f'calibrate-{what}.json'
res = dict(pairs=PAIRS, seeds=[0, 1])

def scores(images, r):
    truth = np.asarray(Image.open(r['target_mask'])) > 127
    p = judge.predict(images)
    si = judge.subjects.index(r['source_subject']); ai = judge.actions.index(r['action'])
    return dict(iou=[puppets.iou(puppets.figure_mask(im), truth) for im in images],
                subject=p['subject'][:, si].tolist(), action=p['action'][:, ai].tolist())

if what == 'lr':
    for lr in (3e-4, 1e-3, 3e-3):
        losses = []
        for r in rows:
            t = time.time()
            art = finetune(pipe, r['source_image'], r['driving_image'], r['source_prompt'], r['driving_prompt'], steps=500, lr=lr, progress=False)
            lat = torch.cat([art.source_latents, art.driving_latents])
            emb = torch.cat([encode_text(pipe, r['source_prompt']), encode_text(pipe, r['driving_prompt'])])
            base = denoising_loss(pipe, lat, emb, n=32)
            tuned = denoising_loss(art.apply(pipe), lat, emb, n=32); art.remove(pipe)
            s = scores(sample(pipe, art, 'baseline++', [0, 1], progress=False).images, r); art.remove(pipe)
            losses.append(dict(pair=r['pair_id'], base=base, tuned=tuned, seconds=time.time() - t, **{k: float(np.mean(v)) for k, v in s.items()}))
            print(lr, losses[-1], flush=True)
        res[str(lr)] = dict(loss_ratio=float(np.mean([l['tuned'] / l['base'] for l in losses])),
                            **{k: float(np.mean([l[k] for l in losses])) for k in ('iou', 'subject', 'action')}, per_pair=losses)
else:
    grid = [('no-guidance', 0, 0)] + [('imposter-calibrated', s, s) for s in (0.003, 0.01, 0.03, 0.1)]
    acc = {str(g): dict(iou=[], subject=[], action=[]) for g in grid}
    for r in rows:
        art = finetune(pipe, r['source_image'], r['driving_image'], r['source_prompt'], r['driving_prompt'], steps=500, progress=False)
        for g in grid:
            pre, sa, sp = g
            s = scores(sample(pipe, art, pre, [0, 1], s_a=sa, s_p=sp, progress=False).images, r)
            for k in s: acc[str(g)][k] += s[k]
        art.remove(pipe)
        print(r['pair_id'], {g: {k: round(float(np.mean(v)), 3) for k, v in d.items()} for g, d in acc.items()}, flush=True)
    res['grid'] = {g: {k: float(np.mean(v)) for k, v in d.items()} for g, d in acc.items()}
out.write_text(json.dumps(res, indent=1))
print(json.dumps({k: v for k, v in res.items() if k != 'per_pair'}, indent=1))

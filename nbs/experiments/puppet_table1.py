"""World v1 record (see results/puppet-table1/README.md): run it from a checkout of commit 7043cd8, whose embedded model and
benchmark it reads; on the current tree it stops with that sentence.

The puppet Table 1 and its reading: component effects, seen vs unseen, literal vs calibrated scales, finetune strength,
and how well each automatic score agrees with the ground truth.

    NONE="--clip_model none --dino_model none --dino_cls_model none"
    SEVEN=baseline++,imposter,no-stepwise,no-guidance,no-phase,no-amplitude,imposter-calibrated
    imposter bench --seeds 0-2 --presets $SEVEN --lr 1e-3 --out runs/puppet-table1 $NONE
    imposter bench --seeds 0-2 --presets $SEVEN --out runs/puppet-table1-full --method full $NONE
    CAL=imposter-calibrated,calibrated-no-stepwise,calibrated-no-phase,calibrated-no-amplitude
    imposter bench --seeds 0-2 --presets $CAL --lr 1e-3 --pairs 1-32 --out runs/puppet-table1-cal-a $NONE
    imposter bench --seeds 0-2 --presets $CAL --lr 1e-3 --pairs 33-48 --out runs/puppet-table1-cal-b $NONE
    imposter bench --seeds 0-2 --presets $CAL --lr 1e-3 --pairs 49-64 --out runs/puppet-table1-cal-c $NONE
    imposter bench --seeds 0-2 --presets baseline++,no-guidance,imposter-calibrated --finetune_steps 1 --lr 1e-12 --out runs/puppet-table1-base $NONE
    imposter bench --seeds 0-2 --presets baseline++,no-guidance,imposter-calibrated --lr 1e-4 --pairs 1-32 --out runs/puppet-table1-lora1e-4-a $NONE
    imposter bench --seeds 0-2 --presets baseline++,no-guidance,imposter-calibrated --lr 1e-4 --pairs 33-64 --out runs/puppet-table1-lora1e-4-b $NONE
    python nbs/experiments/puppet_table1.py

The runs were made with `--presets all` and no `--lr` when those meant these seven presets and lr 1e-3 (the LoRA default
until this table); the commands above spell them out. The base-model bench is the base model without finetuning: a LoRA that has not moved (its B matrices start at zero and one step
at lr 1e-12 leaves them there). Reads the per-pair CSVs of every run (so a run still in progress can be read), the puppet
benchmark's `seen` column and each run's timing.csv; writes nbs/experiments/results/puppet-table1/{tables.md, results.json,
table1-lora.png, examples.png, scores.csv (every image's scores)}.

Pairs are the unit of every interval (seeds averaged first); effects are paired differences per pair (ImPoster minus the
ablation, same pairs, same seeds). "Action right" is the judge's probability of the target action above 0.5 (the judge has
12 actions, so that is also its top choice). "IoU source" is the silhouette IoU with the *source* image's figure, and
"source pose" the share of images closer to the source's silhouette than to the target's: the paper's failure mode of
Baseline++, the source copied in its own (standing) pose.
"""
import functools, json, sys
from pathlib import Path
import numpy as np
from PIL import Image
from imposter import bench, puppets
from imposter.metrics import spearman

runs = Path(sys.argv[1] if len(sys.argv) > 1 else 'runs')
lora_dir, full_dir, base_dir = runs / 'puppet-table1', runs / 'puppet-table1-full', runs / 'puppet-table1-base'
cal_dirs = sorted(runs.glob('puppet-table1-cal-*'))
out = Path(__file__).parent / 'results' / 'puppet-table1'; out.mkdir(parents=True, exist_ok=True)
if not hasattr(puppets, 'BENCH_CSV'):
    sys.exit('puppet_table1.py reads the world v1 benchmark; run it from a checkout of commit 7043cd8.')
manifest = {str(r['pair_id']): r for r in puppets.load_benchmark()}

def load(run):
    if not (run / 'pairs').exists(): return []
    rows = [r for f in sorted((run / 'pairs').glob('*.csv'), key=lambda p: int(p.stem)) for r in bench._read_rows(f)]
    for r in rows:
        r['path'] = run / r['image']
        for c in bench.AUTO_SCORES + bench.TRUTH_SCORES: r[c] = bench._num(r.get(c))
        r['action_right'] = None if r['action_prob'] is None else float(r['action_prob'] > 0.5)
        r['seen'] = bool(manifest[str(r['pair_id'])]['seen'])
        # the paper's failure mode for Baseline++: the source copied, standing pose and all
        fig = puppets.figure_mask(Image.open(r['path']).convert('RGB'))
        r['iou_source'] = puppets.iou(fig, source_mask(r['pair_id']))
        r['source_pose'] = float(r['iou_source'] > r['iou'])
    return rows

@functools.cache
def source_mask(pid): return puppets.figure_mask(Image.open(manifest[str(pid)]['source_image']).convert('RGB'))

SCORES = ('iou', 'iou_source', 'source_pose', 'subject_prob', 'colour_error', 'leak_prob', 'action_prob', 'action_right', 'phase_score', 'phase_agreement')
NAMES = dict(bench.HEADERS, iou='IoU', subject_prob='subject p', colour_error='colour err.', leak_prob='leak p', action_prob='action p',
             action_right='action right', phase_score='Phase', phase_agreement='Phase agr.',
             iou_source='IoU source', source_pose='source pose')
ORDER = ['imposter', 'imposter-calibrated', 'baseline++', 'no-stepwise', 'no-guidance', 'no-phase', 'no-amplitude',
         'calibrated-no-stepwise', 'calibrated-no-phase', 'calibrated-no-amplitude']
LABEL = dict(bench.LABELS, **{'imposter-calibrated': 'ImPoster, calibrated 0.03/0.03'})
LABEL = {k: v.replace('(calibrated)', 'calibrated') for k, v in LABEL.items()}

def per_pair(rows, preset, score):
    "{pair_id: mean over seeds}"
    by = {}
    for r in rows:
        if r['preset'] == preset and r[score] is not None: by.setdefault(r['pair_id'], []).append(r[score])
    return {p: float(np.mean(v)) for p, v in by.items()}

ci = bench.mean_ci   # (mean, 95% half-width, n)

def table(rows, pairs=None, presets=ORDER, scores=SCORES):
    "rows of (preset, n_pairs, {score: (mean, half)})"
    res = []
    for p in presets:
        got = {}
        for s in scores:
            d = per_pair(rows, p, s)
            if pairs is not None: d = {k: v for k, v in d.items() if k in pairs}
            if d: got[s] = ci(list(d.values()))[:2]
        if got: res.append((p, len(per_pair(rows, p, 'iou') if pairs is None else {k for k in per_pair(rows, p, 'iou') if k in pairs}), got))
    return res

def md_table(res, scores=SCORES, digits=3):
    lines = ['| Method | pairs | ' + ' | '.join(NAMES[s] for s in scores) + ' |', '|---' * (len(scores) + 2) + '|']
    for p, n, got in res:
        cells = ['–' if s not in got else f"{got[s][0]:.{digits}f} ± {got[s][1]:.{digits}f}" for s in scores]
        lines.append(f"| {LABEL.get(p, p)} | {n} | " + ' | '.join(cells) + ' |')
    return '\n'.join(lines)

def effect(rows_a, a, rows_b, b, score, pairs=None):
    "paired difference a - b over the pairs both have: (mean, half, n)"
    da, db = per_pair(rows_a, a, score), per_pair(rows_b, b, score)
    ks = [k for k in da if k in db and (pairs is None or k in pairs)]
    return ci([da[k] - db[k] for k in ks])

def md_effects(comparisons, scores, digits=3):
    lines = ['| Difference (paired per pair) | pairs | ' + ' | '.join(NAMES[s] for s in scores) + ' |', '|---' * (len(scores) + 2) + '|']
    res = {}
    for name, (ra, a, rb, b, pairs) in comparisons.items():
        es = {s: effect(ra, a, rb, b, s, pairs) for s in scores}
        res[name] = {s: dict(mean=m, ci=h, n=n) for s, (m, h, n) in es.items()}
        n = max(e[2] for e in es.values())
        lines.append(f"| {name} | {n} | " + ' | '.join('–' if not e[2] else (f"{e[0]:+.{digits}f} ± {e[1]:.{digits}f}" + (' *' if e[1] < abs(e[0]) else '')) for e in es.values()) + ' |')
    return '\n'.join(lines), res

def within_pair_spearman(rows, a, t):
    "mean over pairs of the Spearman correlation among that pair's images (all presets and seeds), with its 95% interval"
    by = {}
    for r in rows: by.setdefault(r['pair_id'], []).append(r)
    rhos = [spearman([r[a] for r in rs], [r[t] for r in rs]) for rs in by.values()]
    rhos = [x for x in rhos if np.isfinite(x)]
    return ci(rhos)

def max_diff(a, b):
    import PIL.Image as I
    return int(np.abs(np.asarray(I.open(a), np.int16) - np.asarray(I.open(b), np.int16)).max())

lora, full, base = load(lora_dir), load(full_dir), load(base_dir)
cal = [r for d in cal_dirs for r in load(d)]
light_dirs = sorted(runs.glob('puppet-table1-lora1e-4-*'))
light = [r for d in light_dirs for r in load(d)]
# the calibrated-ablation runs finetune every pair again (same seed): their imposter-calibrated images check that the
# finetune and sampling reproduce; the ablations join the LoRA rows
first = {(r['pair_id'], r['seed']): r for r in lora if r['preset'] == 'imposter-calibrated'}
again = [max_diff(first[(r['pair_id'], r['seed'])]['path'], r['path']) for r in cal
         if r['preset'] == 'imposter-calibrated' and (r['pair_id'], r['seed']) in first]
lora += [r for r in cal if r['preset'] != 'imposter-calibrated']
seen = {p for p, r in manifest.items() if r['seen']}; unseen = set(manifest) - seen
lora_pairs = {r['pair_id'] for r in lora}; full_pairs = {r['pair_id'] for r in full}
R = dict(lora_pairs=len(lora_pairs), full_pairs=len(full_pairs), base_pairs=len({r['pair_id'] for r in base}),
         lora_images=len(lora), full_images=len(full), base_images=len(base),
         reproduced=dict(images=len(again), max_grey_level_difference=max(again, default=None)))
doc = ['# The puppet Table 1', '',
       'The method and its ablations on the embedded puppet model (64-px images, 4x16x16 latents), over the puppet benchmark',
       f'(`data/puppet-bench/puppet64.csv`: 64 pairs = 8 standing source subjects x 8 driving people doing an action; 32 pairs',
       'are *unseen*: the target caption, e.g. "a bear meditating", never appeared in the model\'s training set). 3 seeds, 50 DDIM',
       'steps, CFG 7.5, 500 finetuning steps per pair (LoRA rank 4 as in the paper, at lr 1e-3, the default when these runs were',
       'made, and at 1e-4, the default since; or the whole UNet, lr 2e-6, as in the authors\' code). Ground-truth scores come from the puppet world: silhouette IoU of the generated figure with the true target mask',
       '(pose), the puppet judge\'s probabilities of the source subject (subject fidelity), of the driving subject (leak) and of',
       'the target action, and the colour error inside the mask. The automatic scores here are the paper\'s phase score and the',
       'chance-corrected phase agreement; CLIP, DINO and SSCD need hub weights this machine cannot download (`--clip_model none` etc.).',
       '', 'Commands (2-core x86-64 CPU, no GPU, the two runs side by side, one torch thread each):', '', '```',
       *[l.strip() for l in __doc__.split('```')[0].splitlines() if l.startswith('    ')], '```', '',
       'The `cal` runs add the three calibrated ablations on the same LoRA finetunes (each pair is finetuned again with the same seed: their',
       f'ImPoster-calibrated images matched the first run\'s to within {max(again, default=-1)} grey levels over {len(again)} images).', '',
       'Every cell is the mean over pairs (seeds averaged first) ± the half-width of its 95% Student-t interval over pairs.',
       '*IoU source*: silhouette IoU with the source image\'s own figure (standing); *source pose*: share of images whose',
       'silhouette is closer to the source\'s than to the target\'s, i.e. the source copied in its own pose (the paper\'s',
       'failure mode of Baseline++). *Action right*: share of images whose judged action is the target\'s.', '']

# the reference for IoU source: how much the true target's silhouette overlaps the source's standing one
truth_src = {p: puppets.iou(np.asarray(Image.open(r['target_mask'])) > 127, source_mask(p)) for p, r in manifest.items()}
R['truth_iou_source'] = {k: float(np.mean([truth_src[p] for p in ps])) for k, ps in (('all', manifest), ('seen', seen), ('unseen', unseen))}
doc += [f"For reference, the true target's silhouette has IoU {R['truth_iou_source']['all']:.3f} with the source's (seen "
        f"{R['truth_iou_source']['seen']:.3f}, unseen {R['truth_iou_source']['unseen']:.3f}): some actions are close to standing.", '']

# 1. Table 1, LoRA (the paper's finetune)
for name, ps in (('all pairs', None), ('seen combinations', seen), ('unseen combinations', unseen)):
    res = table(lora, ps)
    R[f'table_lora_{name.split()[0]}'] = {p: {s: dict(mean=m, ci=h) for s, (m, h) in g.items()} | dict(n_pairs=n) for p, n, g in res}
    doc += [f'## Table 1, LoRA finetune, {name}', '', md_table(res), '']
s = bench.summarize([{k: ('' if v is None else v) for k, v in r.items()} for r in lora])
bench.plot_summary(s, out / 'table1-lora.png')
doc += ['![Table 1, LoRA](table1-lora.png)', '']

# 2. component effects (paired)
ES = ('iou', 'source_pose', 'subject_prob', 'colour_error', 'leak_prob', 'action_prob', 'action_right', 'phase_score', 'phase_agreement')
comps = {}
for tag, ps in (('all', None), ('unseen', unseen)):
    sfx = '' if tag == 'all' else ', unseen'
    comps.update({f'ImPoster - Baseline++{sfx}': (lora, 'imposter', lora, 'baseline++', ps),
                  f'ImPoster - (K = 0){sfx}': (lora, 'imposter', lora, 'no-stepwise', ps),
                  f'ImPoster - (no guidance){sfx}': (lora, 'imposter', lora, 'no-guidance', ps),
                  f'ImPoster - (no phase){sfx}': (lora, 'imposter', lora, 'no-phase', ps),
                  f'ImPoster - (no amplitude){sfx}': (lora, 'imposter', lora, 'no-amplitude', ps),
                  f'calibrated - literal{sfx}': (lora, 'imposter-calibrated', lora, 'imposter', ps),
                  f'calibrated - (no guidance){sfx}': (lora, 'imposter-calibrated', lora, 'no-guidance', ps),
                  f'calibrated - (calibrated, K = 0){sfx}': (lora, 'imposter-calibrated', lora, 'calibrated-no-stepwise', ps),
                  f'calibrated - (calibrated, no phase){sfx}': (lora, 'imposter-calibrated', lora, 'calibrated-no-phase', ps),
                  f'calibrated - (calibrated, no amplitude){sfx}': (lora, 'imposter-calibrated', lora, 'calibrated-no-amplitude', ps),
                  f'(calibrated, K = 0) - Baseline++{sfx}': (lora, 'calibrated-no-stepwise', lora, 'baseline++', ps),
                  f'(calibrated, phase only) - (no guidance){sfx}': (lora, 'calibrated-no-amplitude', lora, 'no-guidance', ps),
                  f'(calibrated, amplitude only) - (no guidance){sfx}': (lora, 'calibrated-no-phase', lora, 'no-guidance', ps)})
text, R['effects_lora'] = md_effects(comps, ES)
doc += ['## Component effects (LoRA)', '', 'Paired differences per pair, mean ± 95% half-width; `*` marks an interval that excludes 0.', '', text, '']

# 3. literal guidance: how much did it move anything? images identical to the unguided ones
def identical_share(rows, a, b):
    ra = {(r['pair_id'], r['seed']): r for r in rows if r['preset'] == a}
    d = [max_diff(ra[(r['pair_id'], r['seed'])]['path'], r['path']) for r in rows if r['preset'] == b and (r['pair_id'], r['seed']) in ra]
    return sum(x <= 1 for x in d), len(d)
sl, nl = identical_share(lora, 'imposter', 'no-guidance')
sc, nc = identical_share(lora, 'imposter-calibrated', 'no-guidance')
R['identical_to_unguided'] = dict(literal=[sl, nl], calibrated=[sc, nc])
doc += ['## Do the paper\'s scales move the image?', '',
        f'Images of ImPoster (s_a = 1e-6, s_p = 1e-3, literal) within 1 grey level of the same seed without guidance: {sl} of {nl}.',
        f'Calibrated (0.03/0.03): {sc} of {nc}.', '']

# 4. finetune strength: whole UNet vs LoRA
if full:
    both = lora_pairs & full_pairs
    res_f = table(full, both); res_l = table(lora, both)
    R['table_full'] = {p: {s: dict(mean=m, ci=h) for s, (m, h) in g.items()} | dict(n_pairs=n) for p, n, g in res_f}
    fcomps = {f'{LABEL[p]}: full - LoRA': (full, p, lora, p, both) for p in ('baseline++', 'imposter', 'imposter-calibrated')}
    fcomps |= {'full: ImPoster - Baseline++': (full, 'imposter', full, 'baseline++', both),
               'full: calibrated - (no guidance)': (full, 'imposter-calibrated', full, 'no-guidance', both),
               'full: ImPoster - (K = 0)': (full, 'imposter', full, 'no-stepwise', both)}
    text_f, R['effects_full'] = md_effects(fcomps, ES)
    doc += [f'## Finetune strength: the whole UNet (lr 2e-6, the authors\' code) vs LoRA, on the {len(both)} pairs both runs finished', '',
            'Whole-UNet finetune:', '', md_table(res_f), '', 'LoRA on the same pairs:', '', md_table(res_l), '', text_f, '']

# 4b. no finetune at all, and how often Baseline++ draws the wrong action on unseen pairs
if base:
    bp = {r['pair_id'] for r in base}
    doc += [f'## Without finetuning (the base model, {len(bp)} pairs)', '', md_table(table(base, None, ['imposter-calibrated', 'baseline++', 'no-guidance'])), '']
    bcomps = {'Baseline++: LoRA - base': (lora, 'baseline++', base, 'baseline++', bp),
              'Baseline++: full - base': (full, 'baseline++', base, 'baseline++', bp),
              'K = 5 unguided: LoRA - base': (lora, 'no-guidance', base, 'no-guidance', bp),
              'base: K = 5 - Baseline++': (base, 'no-guidance', base, 'baseline++', bp),
              'base: calibrated - Baseline++': (base, 'imposter-calibrated', base, 'baseline++', bp)}
    text_b, R['effects_base'] = md_effects(bcomps, ES)
    doc += [text_b, '']
# the finetune-strength factor in one table
levels = [('none (base model)', base), ('whole UNet, lr 2e-6', full), ('LoRA, lr 1e-4 (now the default)', light), ('LoRA, lr 1e-3', lora)]
levels = [(n, rs) for n, rs in levels if rs]
common = set.intersection(*[{r['pair_id'] for r in rs} for _, rs in levels]) if levels else set()
FS = ('iou', 'source_pose', 'subject_prob', 'colour_error', 'action_right', 'phase_agreement')
lines = ['| finetune | method | ' + ' | '.join(NAMES[c] for c in FS) + ' | all | unseen: IoU | unseen: action right |', '|---' * (len(FS) + 5) + '|']
R['strength'] = {}
for n, rs in levels:
    for p in ('baseline++', 'no-guidance', 'imposter-calibrated'):
        got = {c: ci(list({k: v for k, v in per_pair(rs, p, c).items() if k in common}.values())) for c in FS}
        gu = {c: ci(list({k: v for k, v in per_pair(rs, p, c).items() if k in common & unseen}.values())) for c in ('iou', 'action_right')}
        R['strength'][f'{n}|{p}'] = {c: dict(mean=m, ci=h, n=k) for c, (m, h, k) in (got | {'unseen_' + c: v for c, v in gu.items()}).items()}
        lines.append(f'| {n} | {LABEL[p] if p != "no-guidance" else "K = 5, unguided"} | ' + ' | '.join(f'{got[c][0]:.3f} ± {got[c][1]:.3f}' for c in FS)
                     + f" | {got['iou'][2]} pairs | {gu['iou'][0]:.3f} ± {gu['iou'][1]:.3f} | {gu['action_right'][0]:.3f} ± {gu['action_right'][1]:.3f} |")
doc += [f'## Finetune strength as a factor ({len(common)} pairs, 3 seeds)', '', '\n'.join(lines), '']
if light:
    text_l, R['effects_light'] = md_effects({'Baseline++: LoRA 1e-4 - base': (light, 'baseline++', base, 'baseline++', common),
                                             'K = 5 unguided: LoRA 1e-4 - base': (light, 'no-guidance', base, 'no-guidance', common),
                                             'Baseline++: LoRA 1e-3 - LoRA 1e-4': (lora, 'baseline++', light, 'baseline++', common),
                                             'LoRA 1e-4: K = 5 - Baseline++': (light, 'no-guidance', light, 'baseline++', common)}, ES)
    doc += [text_l, '']

fail = {}
for name, rows in (('base model', base), ('LoRA 1e-4', light), ('LoRA', lora), ('whole UNet', full)):
    for p in ('baseline++', 'no-guidance', 'calibrated-no-amplitude', 'imposter-calibrated'):
        for tag, ps in (('unseen', unseen), ('seen', seen)):
            rs = [r for r in rows if r['preset'] == p and r['pair_id'] in ps and r['action_right'] is not None]
            if not rs: continue
            pairs_wrong = per_pair(rs, p, 'action_right')
            fail[f'{name}|{p}|{tag}'] = dict(images=len(rs), wrong_images=int(sum(1 - r['action_right'] for r in rs)),
                                             pairs=len(pairs_wrong), pairs_all_wrong=int(sum(v == 0 for v in pairs_wrong.values())))
R['wrong_action'] = fail
doc += ['## How often the judge sees the wrong action', '',
        'Share of images whose judged action is not the target\'s (action p <= 0.5), and pairs where all 3 seeds are wrong.', '',
        '| finetune | preset | combinations | wrong images | pairs with all seeds wrong |', '|---|---|---|---|---|']
doc += [f"| {k.split('|')[0]} | {LABEL.get(k.split('|')[1])} | {k.split('|')[2]} | {v['wrong_images']} / {v['images']} ({v['wrong_images'] / v['images']:.0%}) | {v['pairs_all_wrong']} / {v['pairs']} |"
        for k, v in fail.items()] + ['']

# 5. agreement of automatic and judge scores with the ground truth
AUTO = ('phase_score', 'phase_agreement', 'action_prob', 'subject_prob', 'leak_prob')
TRUTH = ('iou', 'subject_prob', 'colour_error')
allrows = lora + full + base + light
pooled = {a: {t: (float('nan') if a == t else spearman([r[a] for r in allrows], [r[t] for r in allrows])) for t in TRUTH} for a in AUTO}
within = {a: {t: within_pair_spearman(allrows, a, t) for t in TRUTH if a != t} for a in AUTO}
R['spearman_pooled'] = pooled
R['spearman_within_pair'] = {a: {t: dict(mean=m, ci=h, n=n) for t, (m, h, n) in d.items()} for a, d in within.items()}
lines = ['| score | ' + ' | '.join(f'{NAMES[t]} pooled | {NAMES[t]} within pair' for t in TRUTH) + ' |', '|---' * (2 * len(TRUTH) + 1) + '|']
for a in AUTO:
    cells = []
    for t in TRUTH:
        if a == t: cells += ['–', '–']; continue
        m, h, n = within[a][t]
        cells += [f'{pooled[a][t]:+.2f}', f'{m:+.2f} ± {h:.2f}']
    lines.append(f'| {NAMES[a]} | ' + ' | '.join(cells) + ' |')
doc += ['## How well each score agrees with the ground truth', '',
        f'Spearman rank correlation per image, over all {len(allrows)} images of all runs (every preset and seed). *Pooled*: all',
        'images at once (mixes differences between pairs with differences within a pair). *Within pair*: the correlation among',
        'one pair\'s images (every preset, seed and run), averaged over pairs ± 95% interval: does the score rank the results of the *same* pair',
        'the way the ground truth does? Colour error is lower-is-better, so agreement there shows as a negative correlation.', '',
        '\n'.join(lines), '']

# 6. timing
def timing(run):
    f = run / 'timing.csv'
    if not f.exists(): return None
    rs = bench._read_rows(f)
    ft = [float(r['finetune_s']) for r in rs]; sm = [float(r['sample_s_per_image']) * int(r['images']) for r in rs]; sc = [float(r['score_s']) for r in rs]
    tot = [a + b + c for a, b, c in zip(ft, sm, sc)]
    return dict(pairs=len(rs), finetune_s=float(np.median(ft)), sample_s=float(np.median(sm)), score_s=float(np.median(sc)), total_s=float(np.median(tot)),
                images_per_pair=int(rs[0]['images']), sample_s_per_image=float(np.median([float(r['sample_s_per_image']) for r in rs])))
R['timing'] = dict(lora=timing(lora_dir), full=timing(full_dir), base=timing(base_dir), **{d.name.removeprefix('puppet-table1-'): timing(d) for d in cal_dirs + light_dirs})
doc += ['## Run time per pair', '', 'Medians over pairs, 2-core x86-64 CPU, one torch thread per run, two runs side by side at any time:', '',
        '| run | pairs | finetune | sampling | images | per image | scoring | total |', '|---|---|---|---|---|---|---|---|']
for k, t in R['timing'].items():
    if t: doc.append(f"| {k} | {t['pairs']} | {t['finetune_s']:.1f} s | {t['sample_s']:.1f} s | {t['images_per_pair']} | {t['sample_s_per_image']:.2f} s | {t['score_s']:.1f} s | {t['total_s']:.1f} s |")
doc.append('')

(out / 'results.json').write_text(json.dumps(R, indent=1, default=float))
# every image's scores, for re-analysis without the runs (images are not committed)
import csv
keep = ['run'] + list(bench.SETTING_COLUMNS) + [c for c in bench.AUTO_SCORES + bench.TRUTH_SCORES if any(r[c] is not None for r in allrows)] + ['iou_source', 'seen']
with open(out / 'scores.csv', 'w', newline='') as f:
    w = csv.DictWriter(f, fieldnames=keep, lineterminator='\n', extrasaction='ignore'); w.writeheader()
    for r in allrows:
        w.writerow({k: ('' if r.get(k) is None else (f'{r[k]:.5g}' if isinstance(r.get(k), float) else r[k])) for k in keep} | {'run': r['path'].parts[-4].removeprefix('puppet-table1').lstrip('-') or 'lora'})
(out / 'tables.md').write_text('\n'.join(doc))
print('\n'.join(doc))

# 7. a picture: seed 0 of a few unseen pairs, one per source subject
import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
cols = [('source', None, None), ('driving', None, None), ('true target', None, None), ('base\nBaseline++', base, 'baseline++'),
        ('LoRA\nBaseline++', lora, 'baseline++'), ('LoRA\nK = 5', lora, 'no-guidance'), ('LoRA K = 5\ncalibrated', lora, 'imposter-calibrated'),
        ('LoRA K = 5\nphase only', lora, 'calibrated-no-amplitude'), ('whole UNet\nBaseline++', full, 'baseline++'), ('whole UNet\nK = 5', full, 'no-guidance')]
cols = [c for c in cols if c[1] is None or c[1]]   # runs not there yet
pick = [p for p in sorted(unseen, key=int) if all(any(r['pair_id'] == p and r['preset'] == pr for r in rows) for _, rows, pr in cols if rows)]
subj = {}
for p in pick: subj.setdefault(manifest[p]['source_subject'], p)
pick = list(subj.values())[:6]
if pick:
    fig, axs = plt.subplots(len(pick), len(cols), figsize=(1.25 * len(cols), 1.45 * len(pick) + 0.5), squeeze=False)
    for i, p in enumerate(pick):
        m = manifest[p]
        for j, (name, rows, pr) in enumerate(cols):
            ax = axs[i][j]; ax.set_xticks([]); ax.set_yticks([])
            if rows is None:
                ax.imshow(Image.open(m[{0: 'source_image', 1: 'driving_image', 2: 'target_image'}[j]]))
                if j == 2: ax.set_xlabel(m['target_prompt'], fontsize=7)
            else:
                r = next(r for r in rows if r['pair_id'] == p and r['preset'] == pr and r['seed'] == '0')
                ax.imshow(Image.open(r['path'])); ax.set_xlabel(f"IoU {r['iou']:.2f}" + ('' if r['action_right'] else ' ✗'), fontsize=7)
            if i == 0: ax.set_title(name, fontsize=7)
    fig.suptitle('Unseen pairs, seed 0 (IoU with the true target mask; ✗: the judge sees another action)', fontsize=8)
    fig.tight_layout(); fig.savefig(out / 'examples.png', dpi=85); plt.close(fig)

"""Which of a source's identity attributes does the default finetune learn? The identity gate per attribute, with pictures.

The model card's identity gate (`puppet_card.identity_gates`) gives one number: the share of a source's four
attributes (garment, pattern, marking colour, accessory) that the judge reads in samples of its caption after the
model's default finetune. This runs the same finetunes and samples (finetune seed 0, 8 samples of each source's
caption, seeds 40000+, 50 DDIM steps, CFG 7.5; so on the dev split, with the card's `--on`, its mean is the card's
gate, which `report` checks) and keeps what the judge read per attribute, and the images (a grid, and every sample
in `<run>.npz` for other readers). The embedded world-v4 model on held-out sources, into
nbs/experiments/results/identity-gate/ (two processes at a time, one per core):

    for s in test seed3 seed4; do for on in source pair; do
      python nbs/experiments/identity_attributes.py run $s --on $on --out runs/ia-v4; done; done
    python nbs/experiments/identity_attributes.py report runs/ia-v4            # -> results/identity-gate/
    python nbs/experiments/identity_attributes.py report nbs/experiments/results/identity-gate   # rebuilds the summaries from the committed runs

`--on pair` finetunes on the source's first benchmark pair (source and driving image, as the method does); `--on
source` on the source image alone (`identity_gates`' `on='source'`). `--method full` is the authors' whole-UNet finetune
at the settings the model card reports beside the gate (`FULL`: lr 1e-4, 250 iterations of two batch-1 steps).
`--cfg` samples with another classifier-free guidance scale than the gate's 7.5 (a diagnosis, not the gate). A split
`seed<N>` is a fresh benchmark drawn from seed N (`puppet_bench.make_benchmark`, written to `<out>/bench-seed<N>`):
sources no one has chosen anything on (seeds 1 and 2 are the shipped dev and test splits).
"""
import argparse, json, time
from pathlib import Path
import numpy as np

RESULTS = Path(__file__).parent / 'results' / 'identity-gate'   # report's default
CARD = Path(__file__).parent / 'results' / 'puppet-model' / 'metrics.json'   # the embedded model's card, which report checks against
SAMPLES, SEED0, STEPS, CFG = 8, 40_000, 50, 7.5   # as `identity_gates` samples after a finetune
FULL = dict(method='full', lr=1e-4, steps=250)   # RECIPE['eval']['finetune_reported']['full']

def _rows(split, out):
    "The benchmark rows of a shipped split ('dev', 'test'), or of a fresh draw ('seed<N>', written to <out>/bench-seed<N> by `make_benchmark`)."
    from imposter.puppet_bench import SPLITS, BENCH_FILE, load_benchmark, make_benchmark
    if split in SPLITS: return load_benchmark(split=split)
    seed = int(split[4:])
    shipped = {v: k for k, v in SPLITS.items()}
    if seed in shipped: raise SystemExit(f"seed {seed} draws a shipped split ({split!r} is {shipped[seed]!r}); use that name.")
    folder = out / f'bench-{split}'
    return load_benchmark(folder / BENCH_FILE if (folder / BENCH_FILE).is_file() else make_benchmark(folder, seed=seed))

def run(split, on, out, method='lora', cfg=CFG):
    import torch
    torch.set_num_threads(1)
    from imposter import models, viz
    from imposter.puppet_judge import load_judge
    from imposter.puppet_card import sample_captions, source_rows, gate_finetune
    from imposter.puppets import IDENTITY, identity_codes
    from PIL import Image
    rows = source_rows(_rows(split, out))   # the rows and finetunes of the identity gates
    pipe, judge = models.load_pipeline(None, device='cpu'), load_judge()
    res, grid, kept, t0 = [], [], [], time.time()
    for r in rows:
        art = gate_finetune(pipe, r, on, **(FULL if method == 'full' else {}))
        art.apply(pipe)
        try: ims = sample_captions(pipe, [r['source_prompt']] * SAMPLES, [SEED0 + k for k in range(SAMPLES)], STEPS, cfg)
        finally: art.remove(pipe)
        p, codes = judge.predict(ims), identity_codes(r['source_identity'], r['source_subject'])
        per = {k: float(np.mean(p[k].argmax(1) == codes[k])) for k in IDENTITY}
        res.append(dict(source=r['source_subject'], identity_values=r['source_identity'], per_attribute=per,
                        identity=float(judge.identity(p, r['source_subject'], r['source_identity']).mean()),
                        subject=float(np.mean([judge.subjects[i] == r['source_subject'] for i in p['subject'].argmax(1)]))))
        grid.append([Image.open(r['source_image']).convert('RGB'), *ims]); kept.append(np.stack([np.asarray(x) for x in ims]))
        print(r['source_subject'], round(res[-1]['identity'], 3), per, flush=True)
    out.mkdir(parents=True, exist_ok=True)
    name = f'{split}-{on}' + ('-full' if method == 'full' else '') + (f'-cfg{cfg:g}' if cfg != CFG else '')
    np.savez_compressed(out / f'{name}.npz', samples=np.stack(kept))   # (sources, samples, 64, 64, 3) uint8: for other readers
    (out / f'{name}.json').write_text(json.dumps(dict(split=split, on=on, cfg=cfg, finetune=art.settings, sources=res, seconds=round(time.time() - t0, 1)), indent=1))
    fig = viz.image_grid(grid, row_labels=[f"{x['source']} {x['identity']:.2f}" for x in res], col_labels=['source'] + [f'sample {k}' for k in range(SAMPLES)],
                         title=f'{split} split: each source, then samples of its caption after the {("whole-UNet" if method == "full" else "default")} finetune on the {on}, CFG {cfg:g}')
    viz.fig_image(fig).save(out / f'{name}.png')

def report(runs, dest=RESULTS, card=CARD):
    "The runs' table per attribute, written with their files to `dest`; a run of the card's own finetunes and samples must give the card's number."
    from imposter.puppets import IDENTITY
    dest.mkdir(parents=True, exist_ok=True)
    card = json.loads(card.read_text())['metrics']
    lines = ['| split | finetune | on | CFG | identity | ' + ' | '.join(IDENTITY) + ' | per source |', '|---|---|---|---|---|' + '---|' * (len(IDENTITY) + 1)]
    summary, gated = {}, card.get('finetune_settings', {}).get('on', 'pair')   # what the card's gated finetune trained on (world v2: the pair)
    card_keys = {(o, 'lora'): 'finetuned_identity' + ('' if o == gated else f'_{o}') for o in ('pair', 'source')} | {('pair', 'full'): 'finetuned_identity_full'}
    files = [f for f in sorted(runs.glob('*.json')) if f.name != 'summary.json']   # a run folder, or a results folder (rebuilt)
    if not files: raise SystemExit(f"{runs} holds no run's JSON; give the --out folder of `run`.")
    for f in files:
        d = json.loads(f.read_text()); s = d['sources']
        ident = float(np.mean([x['identity'] for x in s]))
        key = card_keys.get((d['on'], d['finetune']['method'])) if d['split'] == 'dev' and d.get('cfg', CFG) == CFG else None
        if key not in card: key = None   # a reading the card does not make (world v2: the source image alone)
        if key: assert abs(ident - card[key]) < 1e-9, (f.stem, ident, card[key])   # the same finetunes and samples as the model card's
        att = {k: float(np.mean([x['per_attribute'][k] for x in s])) for k in IDENTITY}
        summary[f.stem] = dict(cfg=d.get('cfg', CFG), identity=ident, subject=float(np.mean([x['subject'] for x in s])), per_attribute=att, per_source=[x['identity'] for x in s])
        lines.append(f"| {d['split']} | {d['finetune']['method']} | {d['on']} | {d.get('cfg', CFG):g} | {ident:.3f} | " + ' | '.join(f'{att[k]:.3f}' for k in IDENTITY) + ' | '
                     + ', '.join(f"{x['identity']:.2f}" for x in s) + ' |')
        if runs.resolve() != dest.resolve(): (dest / f.name).write_text(f.read_text()); (dest / f'{f.stem}.png').write_bytes((runs / f'{f.stem}.png').read_bytes())
    (dest / 'summary.json').write_text(json.dumps(summary, indent=1)); (dest / 'summary.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('what', choices=('run', 'report'))
    ap.add_argument('arg', help="run: the split ('dev', 'test', or 'seed<N>': a fresh benchmark drawn from seed N); report: the run folder")
    ap.add_argument('--on', choices=('pair', 'source'), default='pair', help="finetune on the source's first pair, or on the source image alone")
    ap.add_argument('--method', choices=('lora', 'full'), default='lora', help="the model's default LoRA, or the authors' whole-UNet finetune (FULL)")
    ap.add_argument('--cfg', type=float, default=CFG, help="the sampling's guidance scale (default: the gate's, 7.5)")
    ap.add_argument('--out', default='runs/identity-attributes')
    ap.add_argument('--dest', default=str(RESULTS), help='where report writes (default: results/identity-gate/)')
    ap.add_argument('--card', default=str(CARD), help="the metrics.json of the model card whose gate report checks")
    a = ap.parse_args()
    if a.what == 'run':
        if a.arg not in ('dev', 'test') and not (a.arg.startswith('seed') and a.arg[4:].isdigit()):
            raise SystemExit(f"The split is 'dev', 'test' or a fresh draw 'seed<N>' (e.g. seed3), got {a.arg!r}.")
        run(a.arg, a.on, Path(a.out), a.method, a.cfg)
    else: report(Path(a.arg), Path(a.dest), Path(a.card))

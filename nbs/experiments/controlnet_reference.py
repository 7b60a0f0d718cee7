"""What pose labels buy: the puppet pose ControlNet (the annotated reference, `imposter.controlnet`) on the benchmark.

The method `controlnet`: the pair's LoRA for the subject, the shipped puppet ControlNet (data/puppet-controlnet) for the
pose, the pose read off the decoded driving image by the shipped pose detector (data/puppet-pose). Both were trained
with pose labels (`imposter train-control`), which ImPoster and its rivals never see: its rows are reported apart.

Its two parameters, the ControlNet's conditioning scale and the pair's LoRA weight, are chosen on the dev pairs of
Table 1 (`table1.py`: the first 4 of the finetune sweep's dev pairs, 2 seeds each) by Table 1's rule (the highest mean
pose-and-identity score; ties to the defaults, scale 1 and weight 1). It is then run on the test split's 32 unseen
pairs and on a fresh draw, beside Baseline++, the paper's ImPoster, the default preset and the annotation-free method
with the highest pose + identity on Table 1's test split (`sdedit` at its dev-chosen strength 0.3), all rerun side by
side in the same processes. Scores: the shipped judge (`puppet_judge.load_judge()`). Results: results/controlnet/.
Commands (2-core CPU, two one-thread processes):

    python nbs/experiments/controlnet_reference.py run dev --out runs/cn-dev --part 0/2 &
    python nbs/experiments/controlnet_reference.py run dev --out runs/cn-dev --part 1/2
    python nbs/experiments/controlnet_reference.py choose runs/cn-dev                  # -> results/controlnet/dev-choice.{json,md}
    python nbs/experiments/controlnet_reference.py run test --out runs/cn-test --part 0/2 &
    python nbs/experiments/controlnet_reference.py run test --out runs/cn-test --part 1/2
    python nbs/experiments/controlnet_reference.py report runs/cn-test                 # -> results/controlnet/test/
    python nbs/experiments/table1.py draw runs/bench-fresh5 --seed 5                    # a fresh draw, used once
    python nbs/experiments/controlnet_reference.py run test --manifest runs/bench-fresh5/puppet64.csv --out runs/cn-fresh5 --part 0/2 &
    python nbs/experiments/controlnet_reference.py run test --manifest runs/bench-fresh5/puppet64.csv --out runs/cn-fresh5 --part 1/2
    python nbs/experiments/controlnet_reference.py report runs/cn-fresh5 --manifest runs/bench-fresh5/puppet64.csv --name fresh5
"""
import argparse, csv, json, sys
from pathlib import Path
import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import table1 as t1

RESULTS = HERE / 'results' / 'controlnet'
GRID = [dict(conditioning_scale=c, lora_weight=w) for w in (1.0, 0.5) for c in (1.0, 0.5, 1.5)]   # the first: the defaults
BESIDE = {'baseline++': {}, 'imposter': {}, 'imposter-tuned': {}, 'sdedit': dict(strength=0.3)}   # rerun beside it, at Table 1's dev choices
FT = next(iter(t1.FINETUNES))

def run(out:Path, part:str, split:str, bench:str='test'):
    "dev: every GRID value (and Baseline++) on Table 1's dev pairs; test: the dev choice and BESIDE on the unseen pairs of `bench`."
    from finetune_sweep import sweep_pairs
    from imposter import manifest
    if split == 'dev':
        pairs = sweep_pairs(manifest.read_manifest('dev'))[:t1.DEV_PAIRS]
        runs = [('baseline++', FT, {}, {})] + [('controlnet', FT, p, p) for p in GRID]
    else:
        choice = json.loads((RESULTS / 'dev-choice.json').read_text())['choice']
        pairs = [r for r in manifest.read_manifest(bench) if t1.unseen(r)]
        runs = [(m, FT, p, p) for m, p in BESIDE.items()] + [('controlnet', FT, choice, choice)]
    t1.run_pairs(out, part, pairs, runs, t1.SEEDS[split], images=split == 'test')

def choose(folders:list):
    "The GRID value with the highest mean pose-and-identity score on the dev rows (ties: the first, the defaults)."
    rows = [r for f in folders for r in t1._rows(f)]
    table, best = [], None
    for p in [{}] + GRID:
        m = 'baseline++' if not p else 'controlnet'
        rs = [r for r in rows if r['method'] == m and r['params'] == json.dumps(p)]
        if not rs: raise SystemExit(f"No dev rows for {m} {p}: run `run dev` first.")
        s = dict(joint=float(np.mean([float(r['joint']) for r in rs])), identity=float(np.mean([float(r['identity']) for r in rs])),
                 action_right=float(np.mean([float(r['action_prob']) > 0.5 for r in rs])), subject_right=float(np.mean([float(r['subject_prob']) > 0.5 for r in rs])),
                 iou=float(np.mean([float(r['iou']) for r in rs])))
        table.append(dict(method=m, params=p, images=len(rs), **s))
        if p and (best is None or s['joint'] > best[0] + 1e-12): best = (s['joint'], p)
    RESULTS.mkdir(parents=True, exist_ok=True)
    json.dump(dict(rule='the highest mean pose-and-identity score on the dev pairs; ties to the defaults (scale 1, weight 1)', choice=best[1],
                   pairs=sorted({r['pair_id'] for r in rows}), seeds=list(t1.SEEDS['dev']), grid=table,
                   command=' '.join(['python', 'nbs/experiments/controlnet_reference.py'] + sys.argv[1:])), open(RESULTS / 'dev-choice.json', 'w'), indent=1)
    lines = ['| method | params | images | pose + identity | identity | target action | subject | IoU |', '|---|---|---|---|---|---|---|---|']
    lines += [f"| {t['method']} | {json.dumps(t['params'])}{' **(chosen)**' if t['params'] == best[1] else ''} | {t['images']} | {t['joint']:.3f} | "
              f"{t['identity']:.3f} | {t['action_right']:.3f} | {t['subject_right']:.3f} | {t['iou']:.3f} |" for t in table]
    (RESULTS / 'dev-choice.md').write_text(f"Dev pairs {', '.join(sorted({r['pair_id'] for r in rows}))}, {len(t1.SEEDS['dev'])} seeds each; means over images.\n\n" + '\n'.join(lines) + '\n')
    print('\n'.join(lines))

def report(folders:list, bench:str='test', name:str='test'):
    "Tables with crossed intervals (differences from Baseline++), timing as ratios to Baseline++, examples, and the per-image rows."
    from imposter.manifest import read_manifest
    manifest, rows = read_manifest(bench), t1.test_rows(folders)
    out = RESULTS / name; out.mkdir(parents=True, exist_ok=True)
    tab, diff, res = t1.table(rows, manifest)
    tm = t1.timing(folders)
    from imposter.manifest import pair_factors
    factors = pair_factors(manifest)
    with open(out / 'rows.csv', 'w', newline='') as fh:   # every image's scores with its crossed factors: the tables are recomputed from these
        w = csv.DictWriter(fh, t1.FIELDS + ('source', 'driving'))
        w.writeheader(); w.writerows(dict({k: r[k] for k in t1.FIELDS}, source=Path(factors[r['pair_id']][0]).name, driving=Path(factors[r['pair_id']][1]).name) for r in rows)
    json.dump(dict(unseen=res, timing=tm, bench=bench, judge='the shipped judge (data/puppet-judge)',
                   command=' '.join(['python', 'nbs/experiments/controlnet_reference.py'] + sys.argv[1:])), open(out / 'results.json', 'w'), indent=1)
    ratio = ', '.join(f'{k} {v:.2f}' for k, v in tm['ratio_to_baseline'].items())
    (out / 'tables.md').write_text(
        f"{'Test split' if bench == 'test' else 'A fresh draw'}: {len({r['pair_id'] for r in rows})} unseen combinations, 1 seed each. Means ± crossed 95% "
        "intervals (sources and actions crossed, `imposter.stats`); differences paired per image, Bonferroni over the methods "
        "compared, Holm p. `controlnet` uses pose labels (its ControlNet and detector were trained with them): an annotated reference, "
        f"not a rival.\n\n{tab}\n\n{diff}\n\nTime per image as a ratio to Baseline++ (medians, same processes): {ratio}\n")
    t1.examples(rows, manifest, folders, out / 'examples.png', title=f"{'Unseen test pairs' if bench == 'test' else 'Unseen pairs of a fresh draw (seed 5)'}, seed 0")
    print((out / 'tables.md').read_text())

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    t = sub.add_parser('run'); t.add_argument('split', choices=('dev', 'test')); t.add_argument('--out', type=Path, required=True)
    t.add_argument('--part', default='0/1'); t.add_argument('--manifest', default='test')
    c = sub.add_parser('choose'); c.add_argument('folders', type=Path, nargs='+')
    r = sub.add_parser('report'); r.add_argument('folders', type=Path, nargs='+'); r.add_argument('--manifest', default='test'); r.add_argument('--name', default='test')
    a = ap.parse_args()
    if a.cmd == 'run': run(a.out, a.part, a.split, a.manifest)
    elif a.cmd == 'choose': choose(a.folders)
    else: report(a.folders, a.manifest, a.name)

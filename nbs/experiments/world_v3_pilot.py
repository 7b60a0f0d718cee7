"""World v3 pilot: with body colours far apart, does the default finetune keep a source's identity?

A world-v2 record: it reads the world-v2 block model and its body shades, and runs as committed at commit 259d20f
(the library now draws world v4).

The shipped world (v2) gives each subject four body colours from its own colour family, 48-62 RGB levels apart. The
model moves a body colour by 27 levels at the median and 52 at p90, even in img2img at strength 0.3
(`results/identity-colour/`), and the finetuned-identity gate (>= 0.8) is missed. The pilot world is v2 with one change,
in `results/world-v3-pilot/world-v3-pilot.patch`: each subject's four body colours are at least 140 levels apart, and
all 32 stay distinct. The pilot trains the model with the shipped recipe, reusing the shipped VAE (a pretrained part;
this saves its 38 min), and measures the model card's gates. The whole-UNet finetune is left out; the card only
reports it, it does not gate it.

Commands, from the repository root (2-core CPU; one thread per process, two processes side by side):

    python nbs/experiments/world_v3_pilot.py palette    # the pilot's BODY colours (the patch's), by the rule in `palette`

    git worktree add ../v3 HEAD && (cd ../v3 && git am nbs/experiments/results/world-v3-pilot/world-v3-pilot.patch)
    cd ../v3 && export PYTHONPATH=$PWD   # the pilot's world; every command below runs there
    mkdir -p runs/v3/work && cp -r data/puppet-sd/vae runs/v3/work/vae
    imposter train-puppets --out runs/v3/out --work runs/v3/work --no-eval --quiet     # 44 min: render, UNet, judge
    python nbs/experiments/world_v3_pilot.py gates runs/v3/out runs/v3/work            # the card (runs/v3/out/puppet-sd/README.md)
    export IMPOSTER_DATA=runs/v3/out
    python nbs/experiments/identity_attributes.py run test --on pair --out runs/v3/ia  # and dev: the gate's samples, saved
    python nbs/experiments/world_v3_pilot.py judge runs/v3/judge-vae                   # half of each batch through the VAE
    python nbs/experiments/world_v3_pilot.py rescore runs/v3/judge-vae runs/v3/rescore-judge-vae.json   # the card's judge rows
    python nbs/experiments/world_v3_pilot.py read runs/v3/ia runs/v3/readings.json runs/v3/out/puppet-judge runs/v3/judge-vae
    python nbs/experiments/world_v3_pilot.py report runs/v3     # -> results/world-v3-pilot/ (summary.md, summary.json, copies)

`report` needs only the files it copies, so it also runs on the shipped world.
"""
import argparse, copy, json, shutil, time
from pathlib import Path
import numpy as np

RESULTS = Path(__file__).parent / 'results' / 'world-v3-pilot'
SHIPPED = Path(__file__).parent / 'results' / 'puppet-train-v2-block' / 'metrics.json'
V2_GATE = Path(__file__).parent / 'results' / 'identity-colour' / 'gate.json'
V2_SAMPLES = Path(__file__).parent / 'results' / 'identity-attributes'   # the same gate samples, with the judge's subject per source

def _pilot_world():
    "Refuse to measure the shipped world as if it were the pilot's."
    from imposter.puppets import BODY
    gap = min(np.linalg.norm(np.subtract(a, b)) for d in BODY.values() for i, a in enumerate(d.values()) for b in list(d.values())[i+1:])
    if gap < 140: raise SystemExit(f"This measures the pilot world, whose body colours are >= 140 levels apart; this one's are {gap:.0f} "
                                   "apart. Apply results/world-v3-pilot/world-v3-pilot.patch (git am) in a worktree and set PYTHONPATH to it.")

def palette():
    "The pilot's body colours, by the rule fixed before training: on the grid {40, 100, 160, 220}^3, clear of the markings, the accessory, the backgrounds and each subject's head colour (51 levels in some channel), the largest within-subject distance (170 down to 120, by 10) at which a random search (seed 0) gives every subject four colours."
    import itertools
    from imposter.puppets import MARKINGS, ACCESSORY_COLOUR, BACKGROUNDS, LOOKS, SUBJECTS
    sep = lambda a, b: np.abs(np.subtract(a, b, dtype=float)).max()/255
    cands = [c for c in itertools.product((40, 100, 160, 220), repeat=3) if min(sep(c, m) for m in MARKINGS.values()) >= 0.2
             and sep(c, ACCESSORY_COLOUR) >= 0.2 and min(sep(c, b) for b in BACKGROUNDS) >= 0.2]
    D, rng = np.linalg.norm(np.array(cands, float)[:, None] - np.array(cands, float)[None], axis=-1), np.random.default_rng(0)
    for thr in range(170, 119, -10):
        for _ in range(3000):
            free, groups = set(range(len(cands))), []
            for s in SUBJECTS:
                pool, g = [i for i in free if sep(cands[i], LOOKS[s]['extra']) >= 0.2], []
                rng.shuffle(pool)
                for i in pool:
                    if all(D[i, j] >= thr for j in g): g.append(i)
                    if len(g) == 4: break
                if len(g) < 4: break
                groups.append(g); free -= set(g)
            if len(groups) == len(SUBJECTS):
                print(f'within-subject distance >= {thr}')
                return {s: [cands[i] for i in g] for s, g in zip(SUBJECTS, groups)}

def gates(out, work):
    "The model card of the pilot model: every gate, the whole-UNet finetune (reported, not gated) left out."
    from imposter.puppet_train import RECIPE, train_puppets
    recipe = copy.deepcopy(RECIPE); recipe['eval']['finetune_reported'] = None
    m = train_puppets(out, work, recipe=recipe, evaluate=True, progress=False,
                      command=f'python nbs/experiments/world_v3_pilot.py gates {out} {work}')
    print({k: v for k, v in m.items() if not k.endswith('per_source')})

def judge(to, colour=0.0):
    "The recipe's judge, half of each training batch replaced by the model's VAE round trip of the same renders."
    from imposter import models
    from imposter.puppet_judge import train_judge
    from imposter.puppet_train import RECIPE, vae_reconstruct
    vae, jc, t0 = models.load_pipeline(None, device='cpu').vae, RECIPE['judge'], time.time()
    train_judge(jc['steps'], jc['per_combo'], jc['batch_size'], jc['lr'], 0, 'cpu', False, colour_shift=colour,
                round_trip=lambda ims: vae_reconstruct(vae, ims)).save(to)
    print(f'trained in {time.time() - t0:.0f} s')

def rescore(judge_dir, to):
    "The model card's judge-validation and text-to-image rows, read by another judge (the same seeds and samples)."
    from imposter import models
    from imposter.puppet_judge import load_judge
    from imposter.puppet_train import RECIPE, judge_validation, evaluate_t2i
    pipe, j, ev = models.load_pipeline(None, device='cpu'), load_judge(judge_dir), RECIPE['eval']
    jv = judge_validation(pipe, j, ev['judge_per_combo'], 99, 'cpu')   # as `puppet_train._measure_gates` calls them
    res = dict(judge={f'judge_{w}_{k}': v for w, acc in jv.items() for k, v in acc.items()}, t2i=evaluate_t2i(pipe, j, ev, RECIPE['seed'])[0])
    Path(to).write_text(json.dumps(res, indent=1)); print(json.dumps(res, indent=1))

def read(runs, to, *judges):
    "Each identity-gate run's samples (`identity_attributes.py`'s .npz), read by each judge and by their pixels."
    from imposter.puppet_bench import load_benchmark
    from imposter.puppet_judge import load_judge
    from imposter.puppet_train import source_rows
    from imposter.puppets import identity_codes, IDENTITY
    from identity_colour import source_pixels_kept   # the same reader as identity_colour.py's gate
    out = {}
    for f in sorted(Path(runs).glob('*.npz')):
        meta, S = json.loads(f.with_suffix('.json').read_text()), np.load(f)['samples']
        rows, res = source_rows(load_benchmark(split=meta['split'])), {}
        px = [k for r, ims in zip(rows, S) for k in source_pixels_kept(r, ims)]
        res['pixels_body_kept'] = float(np.mean(px))
        for jd in judges:
            J, subj, att = load_judge(jd), [], {k: [] for k in IDENTITY}
            for r, ims in zip(rows, S):
                p, codes = J.predict(list(ims)), identity_codes(r['source_identity'], r['source_subject'])
                subj += [J.subjects[i] == r['source_subject'] for i in p['subject'].argmax(1)]
                for k in IDENTITY: att[k] += list(p[k].argmax(1) == codes[k])
            s, body, kept = np.array(subj), np.array(att['body']), np.array(px)
            ident = np.array([np.mean(v) for v in zip(*att.values())])   # per sample
            ident_px = np.array([(b + sum(o))/len(IDENTITY) for b, *o in zip(kept, *[att[k] for k in IDENTITY if k != 'body'])])
            per_source = lambda v: v.reshape(len(S), -1).mean(1)   # the samples are source by source
            res[Path(jd).name] = dict(subject=float(s.mean()), **{k: float(np.mean(v)) for k, v in att.items()},
                                     identity=float(ident.mean()), identity_pixel_body=float(ident_px.mean()),
                                     identity_per_source=per_source(ident).tolist(), identity_pixel_body_per_source=per_source(ident_px).tolist(),
                                     body_where_subject_read=float(body[s].mean()), body_where_pixels_keep=float(body[kept].mean()))
        out[f.stem] = res; print(f.stem, json.dumps(res), flush=True)
    Path(to).write_text(json.dumps(out, indent=1))

ROWS = [('judge_vae_subject', 'Judge, VAE reconstructions: subject (gate >= 0.95)'),
        ('judge_vae_body', 'Judge, VAE reconstructions: body colour'),
        ('judge_img2img_subject', 'Judge, img2img samples: subject'),
        ('judge_pixels_body_kept', 'img2img samples: body colour kept, read from their pixels'),
        ('judge_pixels_body_read_where_kept', 'Judge, img2img samples whose pixels keep the body colour: body colour'),
        ('seen_subject', 'Text-to-image, seen captions: named subject (gate >= 0.8)'),
        ('seen_action', 'Text-to-image, seen captions: named action (gate >= 0.7)'),
        ('unseen_wrong_action', 'Unseen combinations: wrong action (gate >= 0.6)'),
        ('base_identity', 'Base model: identity of a dev source\'s samples (gate 0.25 ± 0.1)'),
        ('finetuned_identity', 'After the default finetune, dev sources: identity (gate >= 0.8)')]

def _ci(v):
    "Mean ± the half-width of a 95% t interval over the sources (each source's samples averaged first)."
    from scipy import stats
    v = np.asarray(v, float); return f'{v.mean():.3f} ± {stats.t.ppf(0.975, len(v) - 1)*v.std(ddof=1)/np.sqrt(len(v)):.3f}'

def report(runs):
    "summary.md and summary.json from the pilot's files, beside the shipped model's card; the files are copied here."
    runs = Path(runs); RESULTS.mkdir(parents=True, exist_ok=True)
    for src, dst in [('out/puppet-sd/README.md', 'card.md'), ('work/metrics.json', 'metrics.json'), ('readings.json', 'readings.json'),
                     *[(p.relative_to(runs), p.name) for p in sorted(runs.glob('rescore-*.json'))],
                     *[(f'ia/{s}-pair.{e}', f'{s}-pair.{e}') for s in ('dev', 'test') for e in ('json', 'png')]]:
        shutil.copy(runs / src, RESULTS / dst)
    v2, v3 = json.loads(SHIPPED.read_text())['metrics'], json.loads((RESULTS / 'metrics.json').read_text())['metrics']
    rescored = {p.stem.removeprefix('rescore-'): json.loads(p.read_text()) for p in sorted(RESULTS.glob('rescore-*.json'))}
    rescored = {k: {**d['judge'], **d['t2i']} for k, d in rescored.items()}
    names = list(rescored)
    lines = ['| card row | shipped world (v2) | pilot (v3), its judge | ' + ' | '.join(f'pilot, {n}' for n in names) + ' |',
             '|---|---|---|' + '---|'*len(names)]
    for key, label in ROWS:
        cell = lambda d: f'{d[key]:.3f}' if key in d else '-'
        lines.append(f'| {label} | {cell(v2)} | {cell(v3)} | ' + ' | '.join(cell(rescored[n]) for n in names) + ' |')
    R, G2 = json.loads((RESULTS / 'readings.json').read_text()), json.loads(V2_GATE.read_text())
    judges = [k for k in R['dev-pair'] if k != 'pixels_body_kept']
    lines += ['', 'Identity: mean ± 95% t interval over the 8 sources.', '',
              '| gate samples (8 sources x 8) | body kept, pixels | ' + ' | '.join(f'{j}: subject / body / identity / identity, pixel body' for j in judges) + ' |',
              '|---|---|' + '---|'*len(judges)]
    v2_samples = {}
    for split in ('dev', 'test'):
        old = G2[f'{split}-pair'] | dict(subject=float(np.mean([x['subject'] for x in json.loads((V2_SAMPLES / f'{split}-pair.json').read_text())['sources']])))
        lines.append(f"| shipped world (v2), {split} | {old['pixel']:.3f} | shipped judge: {old['subject']:.3f} / {old['judge:data/puppet-judge']:.3f} / "
                     f"{old['identity:data/puppet-judge']:.3f} / {old['identity:data/puppet-judge, pixel body']:.3f} |" + ' |'*(len(judges) - 1))
        r = R[f'{split}-pair']
        lines.append(f"| pilot (v3), {split} | {r['pixels_body_kept']:.3f} | " + ' | '.join(
            f"{r[j]['subject']:.3f} / {r[j]['body']:.3f} / {_ci(r[j]['identity_per_source'])} / {_ci(r[j]['identity_pixel_body_per_source'])}" for j in judges) + ' |')
        v2_samples[split] = old
    (RESULTS / 'summary.md').write_text('\n'.join(lines) + '\n')
    (RESULTS / 'summary.json').write_text(json.dumps(dict(card=dict(v2={k: v2.get(k) for k, _ in ROWS}, v3={k: v3.get(k) for k, _ in ROWS},
                                                                   **{n: {k: rescored[n].get(k) for k, _ in ROWS} for n in names}),
                                                          gate_samples=R, v2_gate_samples=v2_samples), indent=1))
    print('\n'.join(lines))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('what', choices=('palette', 'gates', 'judge', 'rescore', 'read', 'report'))
    ap.add_argument('args', nargs='*')
    ap.add_argument('--colour', type=float, default=0.0, help="judge: the per-channel colour cast of its augmentation")
    a = ap.parse_args()
    if a.what == 'palette': print(json.dumps(palette())); raise SystemExit
    if a.what != 'report':
        import torch; torch.set_num_threads(1); _pilot_world()
    dict(gates=gates, judge=lambda to: judge(to, a.colour), rescore=rescore, read=read, report=report)[a.what](*a.args)

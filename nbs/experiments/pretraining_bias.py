"""How strong must the pretraining bias be for the base model to miss the action on unseen captions?

Issue 9's bias gate asks the base model to draw the wrong action on at least 60% of the benchmark's unseen (subject,
action) captions; the shipped world-v2 model draws the wrong one on 7.8%. Its pretraining set shows each source
subject standing in 60% of its renders and in one of its four seen benchmark actions in the other 40%
(`RECIPE['data']['standing']`). This retrains the text encoder and UNet with that share raised, everything else the
shipped recipe's: the same seed, the shipped VAE (`data/puppet-sd/vae`, copied into the work folder, so the VAE stage
is not rerun) and judge (`data/puppet-judge`), renders drawn anew for the new mixture. Each candidate's gates are
measured exactly as `imposter-train-puppets` measures them, into its own folder; the shipped model is not touched.
`--people` sets the people's share of the pretraining set too (the shipped 0.4 by default): fewer people make every
animal render, and so every seen (animal, action) combination, more frequent at the same standing share, and leave
the action words fewer examples to generalise from. `--silent` captions that share of the source subjects' action
renders by the subject alone (`data.silent`). `--frozen-text` keeps the randomly initialised text encoder frozen, so
that only the UNet learns (`unet.train_text=False`), as SD's UNet learns beside a CLIP encoder trained elsewhere;
`--unet-steps` sets the UNet's training steps; `--design block` makes every source subject do the same four
benchmark actions and leaves the other four to people alone, the paper's own bias ("a monkey playing violin": no
animal plays it), where the shipped cyclic design shows each benchmark action on four animals
(`puppet_corpus.seen_actions`); `--device cuda` (before the subcommand) trains and samples on a GPU
(`pretraining_bias_gpu.sh` runs candidates side by side there).

    python nbs/experiments/pretraining_bias.py run --standing 0.9 --work runs/bias90                  # 2 threads
    python nbs/experiments/pretraining_bias.py run --standing 0.95 --work runs/bias95 --threads 1 &   # side by side,
    python nbs/experiments/pretraining_bias.py run --standing 0.97 --work runs/bias97 --threads 1     # one thread each
    python nbs/experiments/pretraining_bias.py run --standing 0.93 --work runs/bias93 --threads 1 &   # the second round:
    python nbs/experiments/pretraining_bias.py run --standing 0.95 --people 0.2 --work runs/bias95p20 --threads 1   # a share
    python nbs/experiments/pretraining_bias.py run --standing 0.94 --people 0.2 --work runs/bias94p20 --threads 1 &  # between,
    python nbs/experiments/pretraining_bias.py run --standing 0.95 --people 0.1 --work runs/bias95p10 --threads 1   # fewer people
    python nbs/experiments/pretraining_bias.py run --standing 0.94 --work runs/bias94 --threads 1 &   # the third round:
    python nbs/experiments/pretraining_bias.py run --standing 0.8 --silent 0.5 --work runs/s80silent50 --threads 1 &  # 0.94,
    python nbs/experiments/pretraining_bias.py run --standing 0.6 --silent 0.75 --work runs/s60silent75 --threads 1  # and
                                                                   # captions without the animals' action (data.silent)
    python nbs/experiments/pretraining_bias.py run --standing 0.6 --frozen-text --work runs/frozen06 --threads 1 &    # the fourth
    python nbs/experiments/pretraining_bias.py run --standing 0.75 --frozen-text --work runs/frozen075 --threads 1 &  # round: a
    python nbs/experiments/pretraining_bias.py run --standing 0.9 --frozen-text --work runs/frozen09 --threads 1      # frozen text encoder
    python nbs/experiments/pretraining_bias.py run --standing 0.6 --design block --work runs/block06 --threads 1 &  # the fifth
    python nbs/experiments/pretraining_bias.py run --standing 0.9 --design block --work runs/block09 --threads 1    # round: block design
    python nbs/experiments/pretraining_bias.py probe --work runs/bias95 --part 0/2 &                 # ImPoster on a candidate,
    python nbs/experiments/pretraining_bias.py probe --work runs/bias95 --part 1/2                   # two processes
    python nbs/experiments/pretraining_bias.py report runs/bias90 runs/bias95 runs/bias97 runs/bias93 runs/bias95p20 runs/bias94p20 runs/bias95p10 \
        runs/bias94 runs/s80silent50 runs/s60silent75 \
        --probe runs/bias90 runs/bias95 --shipped runs/default-dev
                                                                                                     # -> results/pretraining-bias/
    python nbs/experiments/pretraining_bias.py actions runs/bias90 runs/bias95 runs/bias97 runs/bias93 runs/bias95p20 runs/bias94p20 runs/bias95p10
    python nbs/experiments/pretraining_bias.py regate --work runs/bias95p20 &                        # the nearest two: seen and bias
    python nbs/experiments/pretraining_bias.py regate --work runs/bias94p20                          # gates on 400 and 128 samples
    python nbs/experiments/pretraining_bias.py groups runs/bias90 runs/bias93 runs/bias94 runs/bias95 runs/bias97 \
        runs/bias95p20 runs/bias94p20 runs/s80silent50 runs/s60silent75     # the named action by caption kind (rows cached per model)
    python nbs/experiments/pretraining_bias.py regate --work runs/block06 &                        # the fifth round: seen and
    python nbs/experiments/pretraining_bias.py regate --work runs/block09                          # bias gates on more samples,
    python nbs/experiments/pretraining_bias.py groups --only runs/block06 &                        # the caption kinds,
    python nbs/experiments/pretraining_bias.py groups --only runs/block09
    python nbs/experiments/pretraining_bias.py groups --keep runs/block06 runs/block09             # added to the committed rows,
    python nbs/experiments/pretraining_bias.py actions --keep runs/block06 runs/block09            # what they draw instead,
    python nbs/experiments/pretraining_bias.py probe --work runs/block06 --part 0/2 &              # the method on block 0.6,
    python nbs/experiments/pretraining_bias.py probe --work runs/block06 --part 1/2
    python nbs/experiments/pretraining_bias.py report --keep runs/block06 runs/block09 --probe runs/block06 \
        --shipped nbs/experiments/results/pretraining-bias/probe-bias95.csv                        # beside the shipped rows,
    python nbs/experiments/pretraining_bias.py identity --work runs/block06                        # the card's identity gates

The probe asks what a candidate does to the method: Baseline++ and the default preset (`imposter-tuned`) on the dev
split's 32 unseen combinations, seed 0, each pair finetuned by the model's default, as `default_choice.py` ran them on
the shipped model (`runs/default-dev`, whose setting "x0 w0.375 K10 s0.01" is `imposter-tuned`). It is read on the dev
split only: no default is chosen from it, and the test split stays untouched. (The standing-0.9 probe covers the first
8 of the 32 pairs: a first look, made by the same loop with the pair list cut to 8 before the others were trained.)

Each candidate model is in WORK/out (puppet-sd with its model card, the judge, the benchmark splits); with
`IMPOSTER_DATA=WORK/out` every command of the library runs on it.

"shipped" in this folder's files is the cyclic model that `data/` held during the five rounds. The block 0.6 candidate
(runs/block06) has been shipped since (`results/puppet-train-v2-block/`), so `report`, `groups` and `actions` run
without `--keep` now measure that model as "shipped"; the committed rows are the record of the rounds.
"""
import argparse, copy, csv, json, os, shutil, sys, time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
RESULTS = HERE / 'results' / 'pretraining-bias'
SHIPPED = RESULTS / 'metrics-standing0.6.json'   # the shipped model's gates as measured beside the candidates (a copy of
# results/puppet-train-v2/metrics.json of then: the default finetune on the first 2 dev sources; it has 8 sources since)
DEVICE = 'cpu'   # where the samplers of `groups`, `actions` and `regate` run (--device)
KEYS = ('seen_subject', 'seen_action', 'unseen_wrong_action', 'unseen_standing', 'unseen_subject', 'base_identity',
        'finetuned_identity', 'judge_img2img_identity')


def recipe(standing:float, people:float|None=None, silent:float|None=None, unet_steps:int|None=None, frozen_text:bool=False,
           design:str='cyclic') -> dict:
    """The shipped recipe with the source subjects' standing share set to `standing` (and the people's share to `people`,
    the share of action renders captioned without their action to `silent`, the UNet's steps to `unet_steps`, the
    text encoder frozen if `frozen_text`, and the world's `design` as `data.design`, which `use_design` applies: the
    rounds before the fifth, run when the shipped world was cyclic, are this script's default)."""
    from imposter.puppet_train import RECIPE
    if not 0 <= standing <= 1: raise SystemExit(f"--standing must be a share between 0 and 1, got {standing}.")
    if people is not None and not 0 < people < 1: raise SystemExit(f"--people must be a share between 0 and 1 (both excluded), got {people}.")
    r = copy.deepcopy(RECIPE); r['data']['standing'] = standing
    if people is not None: r['data']['people'] = people
    if silent is not None:
        if not 0 <= silent <= 1: raise SystemExit(f"--silent must be a share between 0 and 1, got {silent}.")
        r['data']['silent'] = silent
    if unet_steps is not None:
        if unet_steps < 1: raise SystemExit(f"--unet-steps must be at least 1, got {unet_steps}.")
        r['unet']['steps'] = unet_steps
    if frozen_text: r['unet']['train_text'] = False
    use_design(design); r['data']['design'] = design
    r['eval'].update(finetune_sources=2, finetune_reported={})  # the identity gates as every candidate here had them (SHIPPED)
    return r


def use_design(design:str):
    """Make this process's world the `design` of `puppet_corpus.seen_actions`: which (subject, action) pairs pretraining
    shows (`pretraining_set`), which captions the gates call seen and unseen (`puppet_train.evaluate_t2i`), and which
    benchmark pairs are unseen (`puppet_bench`). The library's modules bind these names at import, so each is set."""
    from imposter import puppet_bench, puppet_corpus, puppet_train
    from imposter.puppets import SUBJECTS, ACTIONS
    acts = puppet_corpus.seen_actions(design)   # refuses an unknown design with one sentence
    seen = frozenset((s, a) for s, aa in acts.items() for a in aa)
    puppet_corpus.DESIGN, puppet_corpus.SEEN_ACTIONS, puppet_corpus.SEEN = design, acts, seen
    puppet_corpus.UNSEEN = tuple((s, a) for s in SUBJECTS for a in ACTIONS if (s, a) not in seen)
    puppet_train.SEEN = puppet_bench.SEEN = seen


def prepare(work:Path):
    "The shipped VAE and judge in the work folder, so that only the data and the UNet stages run."
    (work / 'out').mkdir(parents=True, exist_ok=True)
    if not (work / 'vae' / 'config.json').is_file(): shutil.copytree(ROOT / 'data' / 'puppet-sd' / 'vae', work / 'vae')
    if not (work / 'out' / 'puppet-judge').is_dir(): shutil.copytree(ROOT / 'data' / 'puppet-judge', work / 'out' / 'puppet-judge')
    (work / 'judge.done').write_text('ok')


def run(work:Path, standing:float, threads:int, people:float|None=None, silent:float|None=None, unet_steps:int|None=None,
        frozen_text:bool=False, device:str='cpu', design:str='cyclic'):
    import torch
    torch.set_num_threads(threads)
    from imposter.puppet_train import train_puppets
    r = recipe(standing, people, silent, unet_steps, frozen_text, design)
    prepare(work)
    t = time.time()
    m = train_puppets(work / 'out', work, r, device, True, True, True,
                      f'python nbs/experiments/pretraining_bias.py run --standing {standing}'
                      + ('' if people is None else f' --people {people}') + ('' if silent is None else f' --silent {silent}')
                      + ('' if unet_steps is None else f' --unet-steps {unet_steps}') + (' --frozen-text' if frozen_text else '') + ('' if design == 'cyclic' else f' --design {design}')
                      + ('' if device == 'cpu' else f' --device {device}') + f' --work {work}')
    print(json.dumps({k: m[k] for k in KEYS}, indent=1), f'{time.time() - t:.0f} s')


PROBE_RUNS = [('baseline++', 'baseline++', {}, {}), ('imposter-tuned', 'imposter-tuned', {}, {})]
SHIPPED_LABELS = {'baseline++': 'baseline++', 'x0 w0.375 K10 s0.01': 'imposter-tuned'}   # default_choice.py's labels


def probe(work:Path, part:str):
    "Baseline++ and imposter-tuned on the candidate in work/out: the dev split's unseen pairs, seed 0 (resumable per pair)."
    os.environ['IMPOSTER_DATA'] = str(work.resolve() / 'out')   # the library's data folder: the candidate's model, judge and splits
    sys.path.insert(0, str(HERE))
    import table1_v2 as t1
    from imposter import manifest
    t1.run_pairs(work / 'probe', part, [r for r in manifest.read_manifest('dev') if t1.unseen(r)], PROBE_RUNS, [0], images=False)


def probe_report(work:Path, shipped:Path) -> str:
    """The probe beside the shipped model's seed-0 rows: means and candidate - shipped on the pairs both have, crossed 95%
    intervals. `shipped` is default_choice.py's dev run on the shipped model (every unseen dev pair), or a committed
    `probe-*.csv`, whose shipped rows cover the pairs unseen in that candidate's world (a block-design candidate's
    unseen pairs are other pairs, so only those unseen in both are compared)."""
    sys.path.insert(0, str(HERE))
    import table1_v2 as t1
    from imposter.manifest import pair_factors
    from imposter.stats import crossed_diff_ci, crossed_mean_ci
    cand = [dict(r, model='candidate') for r in t1._rows(work / 'probe')]
    ids = {r['pair_id'] for r in cand}
    ship = ([dict(r) for r in csv.DictReader(open(shipped)) if r['model'] == 'shipped'] if shipped.suffix == '.csv' else
            [dict(r, method=SHIPPED_LABELS[r['method']], model='shipped') for r in t1._rows(shipped) if r['method'] in SHIPPED_LABELS and r['seed'] == '0'])
    ship = [r for r in ship if r['pair_id'] in ids]
    both = {r['pair_id'] for r in ship}
    if len(ship) != len([r for r in cand if r['pair_id'] in both]) or not both:
        raise SystemExit(f"{shipped}: {len(ship)} shipped rows on {len(both)} of the probe's {len(ids)} pairs; is it default_choice.py's dev run or a probe CSV?")
    rows = cand + ship
    with open(RESULTS / f'probe-{work.name}.csv', 'w', newline='') as f:
        w = csv.DictWriter(f, ('model',) + t1.FIELDS); w.writeheader(); w.writerows({k: r[k] for k in ('model',) + t1.FIELDS} for r in rows)
    fac = pair_factors('dev')
    def sel(model, m, only=None): return sorted((r for r in rows if r['model'] == model and r['method'] == m and (only is None or r['pair_id'] in only)),
                                                key=lambda r: r['pair_id'])
    def factors(rs): return [fac[r['pair_id']][0] for r in rs], [fac[r['pair_id']][1] for r in rs]
    def diff(label, a, b):   # paired by pair (a and b sorted alike), Bonferroni over the two rows of each kind
        cis = [crossed_diff_ci([fn(r) for r in a], [fn(r) for r in b], *factors(a), 0.95, 2) for _, _, fn in t1.COLUMNS]
        return f"| {label} | " + ' | '.join(f"{c.mean:+.3f} ± {c.half:.3f}" for c in cis) + ' |'
    lines = [f"Dev split, the candidate's {len(ids)} unseen pairs ({len(both)} with shipped rows), seed 0; mean ± 95% crossed half-width; then candidate - shipped "
             f"for each method on those {len(both)} pairs, and imposter-tuned - baseline++ on each model.", '',
             '| model | method | ' + ' | '.join(h for _, h, _ in t1.COLUMNS) + ' |', '|---|---|' + '---|' * len(t1.COLUMNS)]
    for model in ('shipped', 'candidate'):
        for m in ('baseline++', 'imposter-tuned'):
            rs = sel(model, m)
            cis = [crossed_mean_ci([fn(r) for r in rs], *factors(rs)) for _, _, fn in t1.COLUMNS]
            lines.append(f"| {model} | {m} | " + ' | '.join(f"{c.mean:.3f} ± {c.half:.3f}" for c in cis) + ' |')
    lines += [diff(f'candidate - shipped | {m}', sel('candidate', m, both), sel('shipped', m)) for m in ('baseline++', 'imposter-tuned')]
    lines += [diff(f'{model} | imposter-tuned - baseline++', sel(model, 'imposter-tuned'), sel(model, 'baseline++')) for model in ('shipped', 'candidate')]
    lines += ['', 'Differences (the last four rows): paired by pair; Bonferroni over the two of each kind.']
    (RESULTS / f'probe-{work.name}.md').write_text('\n'.join(lines) + '\n')
    return '\n'.join(lines)


def _models(works:list) -> list:
    "(name, recipe data, model folder) of the shipped model and of each candidate's work folder."
    from imposter.puppet_train import RECIPE
    return [('shipped', _data(RECIPE), ROOT / 'data' / 'puppet-sd')] + [(w.name, _data(_card_recipe(w)), w / 'out' / 'puppet-sd') for w in works]


def _data(recipe:dict) -> dict:
    "A recipe's pretraining mixture, with how its text encoder was trained ('trained' with the UNet, or 'frozen')."
    return dict(recipe['data'], text='trained' if recipe['unet'].get('train_text', True) else 'frozen',
                design=recipe['data'].get('design', 'cyclic'))


def _drawn(model:Path, items:list):
    """The action index the judge reads in a sample of each (subject, action, seed) of `items`, drawn as the gates draw
    them (`evaluate_t2i`'s sampler: 50 DDIM steps, CFG 7.5, one CPU generator per seed)."""
    from imposter.models import load_pipeline
    from imposter.puppet_judge import load_judge
    from imposter.puppet_train import RECIPE, sample_captions
    from imposter.puppets import caption
    ev = RECIPE['eval']
    pipe, judge = load_pipeline(model, DEVICE), load_judge(ROOT / 'data' / 'puppet-judge')
    pipe.set_progress_bar_config(disable=True)
    return judge.predict(sample_captions(pipe, [caption(s, a) for s, a, _ in items], [k for *_, k in items],
                                         ev['steps'], ev['cfg'], ev['batch_size']))['action'].argmax(1)


def drawn_actions(model:Path) -> dict:
    """What a model draws for the benchmark's unseen captions instead of the named action: the same samples as its
    bias gate (`evaluate_t2i`: 2 seeds x 32 combinations, seeds 20000+, 50 DDIM steps, CFG 7.5), each sorted by the
    action the judge reads: the named one, standing, one of the subject's four seen benchmark actions, or another."""
    from imposter.puppet_train import RECIPE
    from imposter.puppet_corpus import SEEN, SEEN_ACTIONS, BENCH_ACTIONS
    from imposter.puppets import SUBJECTS, ACTIONS
    items = [(s, a, 20_000 + k) for k in range(RECIPE['eval']['unseen_seeds']) for s in SUBJECTS for a in BENCH_ACTIONS if (s, a) not in SEEN]
    drawn = _drawn(model, items)
    kinds = ['named' if ACTIONS[d] == a else 'standing' if ACTIONS[d] == 'standing' else
             'seen' if ACTIONS[d] in SEEN_ACTIONS[s] else 'other' for (s, a, _), d in zip(items, drawn)]
    return {f'drawn_{k}': kinds.count(k) / len(kinds) for k in ('named', 'standing', 'seen', 'other')} | dict(n=len(kinds))


def actions_report(works:list, keep:bool=False):
    """drawn_actions for the shipped model and each candidate -> results/pretraining-bias/drawn-actions.{json,md};
    `keep`: the candidates' rows added to the committed ones (a model of the same name replaced), the shipped row kept."""
    rows = []
    for name, d, path in (_models(works)[1:] if keep else _models(works)):
        use_design(d['design'])
        rows.append(dict(model=name, design=d['design'], standing=d['standing'], people=d['people'], **drawn_actions(path)))
    if keep: rows = [r for r in json.loads((RESULTS / 'drawn-actions.json').read_text()) if r['model'] not in {w.name for w in works}] + rows
    (RESULTS / 'drawn-actions.json').write_text(json.dumps(rows, indent=1) + '\n')
    lines = ['| model | design | standing share | people share | named action | standing | a seen action of the subject | another action |',
             '|---|---|---|---|---|---|---|---|']
    lines += [f"| {r['model']} | {r.get('design', 'cyclic')} | {r['standing']} | {r['people']} | " + ' | '.join(f"{r[f'drawn_{k}']:.3f}" for k in ('named', 'standing', 'seen', 'other')) + ' |'
              for r in rows]
    (RESULTS / 'drawn-actions.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))


GROUPS = ('people', 'animal standing', 'animal, seen action', 'animal, unseen action')


def group_items(seeds:int) -> list:
    """(group, subject, action, seed) for every caption kind: people (24 combinations), animals standing (8), animals in
    one of their four seen benchmark actions (32) and in one of the four unseen ones (32); `seeds` seeds each, the
    unseen ones on the bias gate's seeds (20000+), the seen ones on 30000+."""
    from imposter.puppet_corpus import SEEN, SEEN_ACTIONS, BENCH_ACTIONS
    from imposter.puppets import SUBJECTS, PEOPLE, ACTIONS
    combos = ([('people', p, a) for p in PEOPLE for a in ACTIONS] + [('animal standing', s, 'standing') for s in SUBJECTS]
              + [('animal, seen action', s, a) for s in SUBJECTS for a in SEEN_ACTIONS[s][1:]]
              + [('animal, unseen action', s, a) for s in SUBJECTS for a in BENCH_ACTIONS if (s, a) not in SEEN])
    return [(g, s, a, (20_000 if g == 'animal, unseen action' else 30_000) + k) for k in range(seeds) for g, s, a in combos]


def named_by_group(model:Path, seeds:int) -> dict:
    """The share of samples in which the judge reads the named action, by caption kind (`group_items`), and the
    memorisation gap: seen minus unseen animal actions, paired by subject, each subject having four of each."""
    import numpy as np
    from imposter.puppets import ACTIONS
    from imposter.stats import mean_ci
    items = group_items(seeds)
    drawn = _drawn(model, [it[1:] for it in items])
    ok = np.array([ACTIONS[d] == a for (_, _, a, _), d in zip(items, drawn)])
    g = np.array([it[0] for it in items])
    out = {f'named: {k}': float(ok[g == k].mean()) for k in GROUPS} | {f'n: {k}': int((g == k).sum()) for k in GROUPS}
    # per subject: its seen actions' rate minus its unseen actions' rate (4 x seeds samples each) -> t interval over subjects
    subj = sorted({s for gg, s, _, _ in items if gg.startswith('animal,')}); who = np.array([it[1] for it in items])
    ds = np.array([ok[(g == 'animal, seen action') & (who == s)].mean() - ok[(g == 'animal, unseen action') & (who == s)].mean() for s in subj])
    gap, half, _ = mean_ci(ds)
    act = np.array([it[2] for it in items])   # by action: tells an action that is hard to draw from one left unlearned
    by_action = {k: {a: float(ok[(g == k) & (act == a)].mean()) for a in dict.fromkeys(act[g == k])} for k in ('people', 'animal, unseen action')}
    return out | dict(gap=gap, gap_half=half, gap_by_subject=dict(zip(subj, ds.round(3).tolist())), by_action=by_action)


def group_row(name:str, data:dict, model:Path, seeds:int) -> dict:
    """A model's `named_by_group` row, cached in its work folder (runs/ for the shipped model), so that parallel calls
    share it; delete the cache file when the model changes."""
    cache = (model.parents[1] if name != 'shipped' else ROOT / 'runs') / f'by-group-{name}-{seeds}.json'
    if not cache.is_file():
        use_design(data['design'])
        row = dict(model=name, standing=data['standing'], people=data['people'], silent=data.get('silent', 0.0), text=data['text'], design=data['design'], seeds=seeds,
                   **named_by_group(model, seeds))
        cache.parent.mkdir(parents=True, exist_ok=True); cache.write_text(json.dumps(row, indent=1))
    row = json.loads(cache.read_text()); print(json.dumps(row), flush=True)
    return row


def groups_report(works:list, seeds:int, only:bool=False, keep:bool=False):
    """named_by_group for the shipped model and each candidate -> results/pretraining-bias/by-group.{json,md}; `only`:
    the candidates' rows alone, cached, no report; `keep`: the shipped model's and the candidates' rows put in the
    committed report's rows (a model of the same name replaced), for candidates whose work folders are gone."""
    if seeds < 1: raise SystemExit(f"--seeds must be at least 1, got {seeds}.")
    models = _models(works)
    if only:
        for name, d, path in models[1:]: group_row(name, d, path, seeds)
        return
    if keep:
        old = json.loads((RESULTS / 'by-group.json').read_text())
        if {r['seeds'] for r in old} != {seeds}: raise SystemExit(f"--keep: the committed rows have seeds {sorted({r['seeds'] for r in old})}, not --seeds {seeds}.")
        new = {name: group_row(name, d, path, seeds) for name, d, path in models}   # the shipped row too, from its cache or anew
        rows = [new.pop(r['model'], r) for r in old] + list(new.values())
    else: rows = [group_row(name, d, path, seeds) for name, d, path in models]
    (RESULTS / 'by-group.json').write_text(json.dumps(rows, indent=1) + '\n')
    lines = ['| model | design | standing share | people share | silent share | text encoder | ' + ' | '.join(GROUPS) + ' | seen - unseen animal action (95% t over the 8 subjects) |',
             '|---|---|---|---|---|---|' + '---|'*len(GROUPS) + '---|']
    lines += [f"| {r['model']} | {r.get('design', 'cyclic')} | {r['standing']} | {r['people']} | {r.get('silent', 0.0)} | {r.get('text', 'trained')} | " + ' | '.join(f"{r[f'named: {k}']:.3f}" for k in GROUPS)
              + f" | {r['gap']:+.3f} ± {r['gap_half']:.3f} |" for r in rows]
    (RESULTS / 'by-group.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))


def regate(work:Path, samples:int, unseen_seeds:int) -> dict:
    """The seen-caption and bias gates of a candidate measured again on more samples: `evaluate_t2i` with `samples`
    seen captions and `unseen_seeds` seeds per unseen combination (supersets of the gate's 100 and 2: the same seeds
    come first), with 95% Wilson intervals -> results/pretraining-bias/regate-<work>.json."""
    from scipy.stats import binomtest
    from imposter.models import load_pipeline
    from imposter.puppet_judge import load_judge
    from imposter.puppet_train import RECIPE, evaluate_t2i
    if samples < 1 or unseen_seeds < 1: raise SystemExit(f"--samples and --unseen-seeds must be at least 1, got {samples} and {unseen_seeds}.")
    use_design(_data(_card_recipe(work))['design'])
    pipe, judge = load_pipeline(work / 'out' / 'puppet-sd', DEVICE), load_judge(ROOT / 'data' / 'puppet-judge')
    pipe.set_progress_bar_config(disable=True)
    m, _, _ = evaluate_t2i(pipe, judge, dict(RECIPE['eval'], samples=samples, unseen_seeds=unseen_seeds), RECIPE['seed'])
    def wilson(p, n):
        ci = binomtest(round(p*n), n).proportion_ci(0.95, method='wilson'); return [ci.low, ci.high]
    out = dict(work=work.name, data=_card_recipe(work)['data'], **m,
               seen_action_wilson=wilson(m['seen_action'], m['n_seen']), seen_subject_wilson=wilson(m['seen_subject'], m['n_seen']),
               unseen_wrong_action_wilson=wilson(m['unseen_wrong_action'], m['n_unseen']))
    (RESULTS / f'regate-{work.name}.json').write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(out, indent=1))
    return out


def identity(work:Path) -> dict:
    """A candidate's identity gates measured as the shipped model card measures them (`RECIPE['eval']`: the LoRA default
    on all 8 dev sources, gated, and the authors' whole-UNet finetune reported beside it; each candidate's own card
    has the first 2 sources only) -> results/pretraining-bias/identity-<work>.json."""
    from imposter.models import load_pipeline
    from imposter.puppet_bench import BENCH_FILE, BENCH_NAME, load_benchmark
    from imposter.puppet_judge import load_judge
    from imposter.puppet_train import RECIPE, identity_gates
    ev, t = RECIPE['eval'], time.time()
    pipe, judge = load_pipeline(work / 'out' / 'puppet-sd', DEVICE), load_judge(work / 'out' / 'puppet-judge')
    pipe.set_progress_bar_config(disable=True)
    dev = load_benchmark(work / 'out' / BENCH_NAME / 'dev' / BENCH_FILE)
    m = identity_gates(pipe, judge, dev, ev['identity_samples'], ev['finetune'], ev['finetune_sources'], ev['steps'], ev['cfg'], ev['finetune_reported'])
    out = dict(work=work.name, data=_card_recipe(work)['data'], **m, seconds=round(time.time() - t))
    (RESULTS / f'identity-{work.name}.json').write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(out, indent=1))
    return out


def _row(name, recipe, metrics, times=None):
    from imposter.puppet_train import gate_rows, GATES
    gated = {k for k, _, rule, _ in GATES if rule != 'reported'}
    labels = {k: lab for k, lab, _, _ in GATES}
    verdict = {lab: ok for lab, _, _, ok in gate_rows(metrics)}
    missed = [k for k in gated if k in metrics and verdict[labels[k]] == 'MISSED']
    data = _data(recipe)
    return dict(model=name, design=data['design'], standing=data['standing'], people=data['people'], silent=data.get('silent', 0.0), text=data['text'], unet_steps=recipe['unet']['steps'],
                **{k: metrics[k] for k in KEYS}, missed=sorted(missed), unet_seconds=(times or {}).get('unet'))


def _card_recipe(work:Path) -> dict:
    "The recipe a candidate was trained with, as its model card records it (the card's JSON block)."
    return json.loads((work / 'out' / 'puppet-sd' / 'README.md').read_text().split('```json\n', 1)[1].split('```', 1)[0])


def report(works:list, probes:list=(), shipped:Path|None=None, keep:bool=False):
    """The gates of the shipped model and of each candidate -> results/pretraining-bias/summary.{md,json} (and each
    candidate's metrics and unseen samples); `keep`: the candidates added to the committed summary's rows (a model of
    the same name replaced), for candidates whose work folders are gone."""
    from imposter.puppet_train import RECIPE
    ship = json.loads(SHIPPED.read_text())
    rows = [_row('shipped (results/puppet-train-v2)', RECIPE, ship['metrics'], ship['times'])]
    RESULTS.mkdir(parents=True, exist_ok=True)
    if keep: rows = [r for r in json.loads((RESULTS / 'summary.json').read_text()) if r['model'] not in {w.name for w in works}]
    for w in works:
        m = json.loads((w / 'metrics.json').read_text())
        rec = _card_recipe(w); data = rec['data']
        rows.append(_row(w.name, rec, m['metrics'], m['times']))
        tag = (f"standing{data['standing']}" + ('' if data['people'] == RECIPE['data']['people'] else f"-people{data['people']}")
               + (f"-silent{data['silent']}" if data.get('silent') else '') + ('' if rec['unet'].get('train_text', True) else '-frozentext')
               + ('' if rec['unet']['steps'] == RECIPE['unet']['steps'] else f"-unet{rec['unet']['steps']}")
               + (f"-{data['design']}" if data.get('design', 'cyclic') != 'cyclic' else ''))
        shutil.copy(w / 'samples_unseen.png', RESULTS / f'samples_unseen-{tag}.png')
        shutil.copy(w / 'metrics.json', RESULTS / f'metrics-{tag}.json')
    head = ('design', 'standing share', 'people share', 'silent share', 'text encoder', 'seen: subject', 'seen: action', 'unseen: wrong action', 'unseen: standing',
            'unseen: subject', 'base identity', 'finetuned identity', 'judge on img2img: identity', 'gates missed')
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in rows:
        cells = [r.get('design', 'cyclic'), str(r['standing']), str(r['people']), str(r['silent']), r['text'], *(f'{r[k]:.3f}' for k in KEYS), ', '.join(r['missed']) or 'none']
        lines.append('| ' + ' | '.join(cells) + ' |')
    (RESULTS / 'summary.md').write_text('\n'.join(lines) + '\n')
    (RESULTS / 'summary.json').write_text(json.dumps(rows, indent=1) + '\n')
    print('\n'.join(lines))
    for w in probes: print(probe_report(w, shipped))


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', choices=('cpu', 'cuda'), default='cpu', help='where training and sampling run (before the subcommand)')
    sub = ap.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run'); r.add_argument('--standing', type=float, required=True); r.add_argument('--work', type=Path, required=True)
    r.add_argument('--threads', type=int, default=2)
    r.add_argument('--people', type=float, default=None, help="share of people in the pretraining set (the shipped recipe's if not given)")
    r.add_argument('--silent', type=float, default=None, help="share of the source subjects' action renders captioned by the subject alone (0 if not given)")
    r.add_argument('--unet-steps', type=int, default=None, help="UNet training steps (the shipped recipe's if not given)")
    r.add_argument('--frozen-text', action='store_true', help='keep the randomly initialised text encoder frozen (unet.train_text=False); only the UNet learns')
    r.add_argument('--design', choices=('cyclic', 'block'), default='cyclic', help="which actions the source subjects do in pretraining (puppet_corpus.seen_actions): cyclic, the default, is the world of the first four rounds; the shipped world is block")
    b = sub.add_parser('probe'); b.add_argument('--work', type=Path, required=True); b.add_argument('--part', default='0/1', help='k/n: pairs k, k+n, ...')
    p = sub.add_parser('report'); p.add_argument('works', type=Path, nargs='+')
    p.add_argument('--probe', type=Path, nargs='*', default=[], help="candidates' work folders whose probes to report"); p.add_argument('--shipped', type=Path, default=Path('runs/default-dev'))
    p.add_argument('--keep', action='store_true', help="add the candidates to the committed summary's rows (their work folders need not exist)")
    g = sub.add_parser('regate', help="a candidate's seen and bias gates on more samples")
    g.add_argument('--work', type=Path, required=True); g.add_argument('--samples', type=int, default=400)
    g.add_argument('--unseen-seeds', type=int, default=4)
    d = sub.add_parser('actions', help='which action the shipped model and each candidate draw for the unseen captions')
    d.add_argument('works', type=Path, nargs='*')
    d.add_argument('--keep', action='store_true', help="add the candidates' rows to the committed ones instead of sampling the shipped model again")
    q = sub.add_parser('groups', help='the named action by caption kind, and seen minus unseen animal actions')
    q.add_argument('works', type=Path, nargs='*'); q.add_argument('--seeds', type=int, default=4)
    i = sub.add_parser('identity', help="a candidate's identity gates on the shipped card's 8 dev sources, whole UNet reported")
    i.add_argument('--work', type=Path, required=True)
    q.add_argument('--only', action='store_true', help="the candidates' rows alone (cached in their work folders), no shipped row and no report")
    q.add_argument('--keep', action='store_true', help="add the candidates' rows to the committed by-group report's rows instead of sampling the shipped model again")
    a = ap.parse_args()
    if a.device == 'cuda' and not __import__('torch').cuda.is_available(): raise SystemExit('--device cuda, but torch sees no CUDA GPU here.')
    DEVICE = a.device
    if a.cmd == 'run': run(a.work, a.standing, a.threads, a.people, a.silent, a.unet_steps, a.frozen_text, a.device, a.design)
    elif a.cmd == 'probe': probe(a.work, a.part)
    elif a.cmd == 'actions': actions_report(a.works, a.keep)
    elif a.cmd == 'regate': regate(a.work, a.samples, a.unseen_seeds)
    elif a.cmd == 'identity': identity(a.work)
    elif a.cmd == 'groups': groups_report(a.works, a.seeds, a.only, a.keep)
    else: report(a.works, a.probe, a.shipped, a.keep)

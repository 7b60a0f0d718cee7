"""Recompute every number of the README and of the docs site's Results page from the committed result files.

    python tools/check_numbers.py      # exit 1, naming each number that differs or that nothing here recomputes

Each claim is text a page must contain, built here from the file that holds its numbers: the embedded world-v4 model's
gates (`results/puppet-model/metrics.json`), its dev-split finetune sweep, the gate at each of its settings and the
sweep on a fresh draw (`results/finetune-default/`), its identity gate on held-out draws (`results/identity-gate/`),
its Table 1 (`results/table1/`), the demo's scores (`results/demo/scores.json`), and the models before it. Their
files were removed from the tree; their numbers are read with `git show` from RECORDS, the last commit that held them
(the docs site's Records page cites it), so this needs the repository's history (not a shallow clone).

Then every number left in a page's prose (outside code, link targets and the claims' text) must sit in one of the
page's CONSTANTS: the phrases that state a definition rather than a measurement (the world's gate levels, the paper's
and the authors' settings, the benchmark's design), each pinned here with its words. A number edited by hand in a page
fails the check: its claim no longer matches, or no claim or constant holds it.
"""
import argparse, csv, io, json, re, subprocess, sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RES = REPO / 'nbs' / 'experiments' / 'results'
PAGES = {'README.md': REPO / 'README.md', 'Results page': REPO / 'docs' / 'results.md'}
RECORDS = 'cb102dc'   # the last commit with the records' files in the tree (docs/records.md cites it)
README_METHODS = ('baseline++', 'imposter', 'imposter-tuned', 'sdedit', 'cross-image')   # the README's rows of Table 1

f2, f3 = (lambda v: f'{v:.2f}'), (lambda v: f'{v:.3f}')
e = lambda lr: f"{lr:.0e}".replace('e-0', 'e-')   # 1e-3, as the pages write a learning rate

def load(path:str):
    "A committed result file of the tree (a path under nbs/experiments/results/)."
    return json.loads((RES / path).read_text())

def record(path:str) -> str:
    "A record's file as RECORDS holds it (a path under nbs/experiments/results/)."
    r = subprocess.run(['git', 'show', f'{RECORDS}:nbs/experiments/results/{path}'], cwd=REPO, capture_output=True, text=True)
    if r.returncode: raise SystemExit(f"Cannot read {path} at commit {RECORDS} ({r.stderr.strip()}); the records need the "
                                      "repository's history: run `git fetch --unshallow` (or clone without --depth) and check again.")
    return r.stdout

def t_ci(v) -> str:
    "Mean ± the half-width of the 95% t interval over sources (`imposter.stats.mean_ci`)."
    from imposter.stats import mean_ci
    m, h, _ = mean_ci(v); return f'{m:.3f} ± {h:.3f}'

# ---- Table 1 (results/table1/): the text builders -------------------------------------------------------------------

def table1_rows(r:dict, seconds:dict, methods=None, cols=('joint', 'action_right', 'subject_right', 'identity', 'leak', 'iou')) -> str:
    "A Markdown table of Table 1's means ± crossed 95% intervals (`results.json`'s 'unseen'), with seconds per image if given."
    names = dict(joint='pose + identity', action_right='target action', subject_right='subject', identity='identity', leak='driving leak', iou='IoU')
    head = ['method'] + [names[c] for c in cols] + (['s / image'] if seconds else [])
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for m in methods or r:
        cells = [f"{r[m][c]['mean']:.2f} ± {r[m][c]['half']:.2f}" for c in cols] + ([f"{seconds.get(m, float('nan')):.2f}"] if seconds else [])
        lines.append(f"| {m} | " + ' | '.join(cells) + ' |')
    return '\n'.join(lines)

def facts(r:dict) -> tuple:
    """What the findings read from a table (`results.json`'s 'unseen'): the methods by pose + identity, those that meet
    the goal, the smallest Holm p (p, method, column), the highest driving leak and who has it."""
    b = r['baseline++']
    best = sorted(r, key=lambda k: -r[k]['joint']['mean'])
    goal = [k for k in r if r[k]['action_right']['mean'] >= 0.8 and r[k]['subject_right']['mean'] >= 0.9
            and r[k]['identity']['mean'] >= 0.9 * b['identity']['mean'] and r[k]['leak']['mean'] <= b['leak']['mean']]
    holm = min((v['holm_p'], k, c) for k in r for c, v in r[k].items() if c.endswith('_diff'))
    top_leak = max(r[k]['leak']['mean'] for k in r)
    return best, goal, holm, top_leak, [k for k in r if r[k]['leak']['mean'] == top_leak]

def table1_findings(r:dict, ch:dict) -> str:
    "The findings under Table 1, every number recomputed from `results.json` and `dev-choice.json`."
    m = lambda k, c='action_right': f2(r[k][c]['mean'])
    best, goal, holm, top_leak, leaky = facts(r)
    sig = sorted({(k, c[:-len('_diff')].replace('_', ' ')) for k in r for c, v in r[k].items() if c.endswith('_diff') and v['holm_p'] < 0.05})
    most_action = max(r, key=lambda k: (r[k]['action_right']['mean'], r[k]['joint']['mean']))
    fmt = lambda p: ', '.join(f'{k} {v:g}' for k, v in p.items()) or 'no parameter'
    return f"""- **Pose and identity together.** The highest pose + identity is `{best[0]}`'s ({m(best[0], 'joint')}); next come `{best[1]}`
  ({m(best[1], 'joint')}) and `{best[2]}` ({m(best[2], 'joint')}); Baseline++ scores {m('baseline++', 'joint')}.
- **The paper's method and the default preset.** Baseline++ (the finetuned model prompted with the target caption)
  draws the target action in {m('baseline++')} of the images, with the subject in {m('baseline++', 'subject_right')} and identity {m('baseline++', 'identity')}.
  ImPoster with the paper's settings: {m('imposter')}, {m('imposter', 'subject_right')} and {m('imposter', 'identity')}. The default preset `imposter-tuned`:
  {m('imposter-tuned')}, {m('imposter-tuned', 'subject_right')} and {m('imposter-tuned', 'identity')}.
- **The target action most often:** `{most_action}` ({fmt(ch[most_action])}: {m(most_action)}, identity {m(most_action, 'identity')}, driving leak {m(most_action, 'leak')}). SDEdit on the base model
  (strength {ch['sdedit@base']['strength']:g}) draws it in {m('sdedit@base')} with identity {m('sdedit@base', 'identity')} (chance 0.25); cross-image attention and MasaCtrl
  draw it in {m('cross-image')} and {m('masactrl')} with the finetune, {m('cross-image@base')} and {m('masactrl@base')} on the base model.
- **{'No method meets' if not goal else ', '.join(f'`{k}`' for k in goal) + (' meets' if len(goal) == 1 else ' meet')} the goal** of a target action on at least 80% of unseen combinations with the subject right
  (p >= 0.9), an identity at least 0.9 x Baseline++'s and no more leak.
- **{'No difference from Baseline++ is significant' if not sig else 'Significant differences from Baseline++: ' + ', '.join(f'{k} ({c})' for k, c in sig)}.** The 32 unseen pairs cross 8 sources with only 4 actions (those
  no animal is seen doing), so the crossed intervals have 3 degrees of freedom, and {len(r) - 1} methods are compared with
  Baseline++; the smallest Holm-adjusted p-value in `tables.md` is {holm[0]:.2g} ({holm[1]}, {holm[2][:-len('_diff')].replace('_', ' ')}).
- **Driving leak** is at most {f2(top_leak)} ({', '.join(f'`{k}`' for k in leaky)})."""

def table1_fresh(fr:dict, te:dict) -> str:
    "The fresh-draw check, from `fresh-draw/results.json` beside the test split's `results.json` (in brackets)."
    cell = lambda k, c: f"{fr[k][c]['mean']:.2f} ({te[k][c]['mean']:.2f})"
    return '; '.join(f"`{k}` target action {cell(k, 'action_right')}, identity {cell(k, 'identity')}, pose + identity {cell(k, 'joint')}" for k in fr)

# ---- the claims ------------------------------------------------------------------------------------------------------

def claims() -> dict:
    "{page: {what: the exact text the page must contain}}, each recomputed from a committed file."
    card = load('puppet-model/metrics.json')
    m, times, sizes = card['metrics'], card['times'], card['sizes']
    verdict = lambda ok: 'pass' if ok else '**missed**'
    res = {
        'VAE gate': f"| {m['vae_psnr']:.1f} dB | >= 30 dB | {verdict(m['vae_psnr'] >= 30)} |",
        'judge on fresh renders': f"| {f3(m['judge_clean_subject'])} / {f3(m['judge_clean_identity'])} | >= 0.98 / 0.95 | {verdict(m['judge_clean_subject'] >= 0.98 and m['judge_clean_identity'] >= 0.95)} |",
        'judge after the VAE': f"| {f3(m['judge_vae_subject'])} / {f3(m['judge_vae_identity'])} | >= 0.95 / 0.90 | {verdict(m['judge_vae_subject'] >= 0.95 and m['judge_vae_identity'] >= 0.9)} |",
        'judge on img2img samples': f"| {f3(m['judge_img2img_subject'])} / {f3(m['judge_img2img_identity'])} | reported |",
        'seen captions': f"| {f2(m['seen_subject'])} / {f2(m['seen_action'])} | >= 0.80 / 0.70 | {verdict(m['seen_subject'] >= 0.8 and m['seen_action'] >= 0.7)} |",
        'base-model identity': f"| {f3(m['base_identity'])} | 0.25 ± 0.1 | {verdict(abs(m['base_identity'] - 0.25) <= 0.1)} |",
        'unseen wrong action': f"| {f3(m['unseen_wrong_action'])} | >= 0.60 | {verdict(m['unseen_wrong_action'] >= 0.6)} |",
        'finetuned identity': f"| {f3(m['finetuned_identity'])} | >= 0.80 | {verdict(m['finetuned_identity'] >= 0.8)} |",
        'pair identity': f"| {f3(m['finetuned_identity_pair'])} | reported |",
        'whole-UNet identity': f"| {f3(m['finetuned_identity_full'])} | reported |",
        'whole-UNet identity, in prose': f"The whole UNet keeps {f3(m['finetuned_identity_full'])} on the\npair",
        'training time and size': (f"{sum(times[k] for k in ('render', 'vae', 'unet', 'judge')) / 60:.0f} minutes of training stages on the 2-core CPU "
                                   f"(gate: 90) and {sum(sizes.values()) / 1e6:.1f} MB in `data/` (gate: 30)"),
        'model size': f"`data/puppet-sd` is a {sizes['puppet_sd'] / 1e6:.0f} MB Stable Diffusion",
    }
    assert m['finetune_settings']['on'] == 'source' and 'on' not in m['finetune_settings_pair'], "the gate reads the image alone, the pair is reported"
    full = m['finetune_settings_full']
    res['whole-UNet settings'] = f"whole-UNet finetune (lr {e(full['lr'])}, {full['steps']} iterations) on that pair"

    # the finetune default (results/finetune-default/)
    sw = load('finetune-default/summary.json')
    imp = {(r['lr'], r['steps']): r for r in sw['settings'] if r['preset'] == 'imposter' and r['method'] == 'lora' and r['rank'] == 4}
    ch = imp[(sw['chosen']['lr'], sw['chosen']['steps'])]
    default = json.loads((REPO / 'data' / 'puppet-sd' / 'imposter.json').read_text())['finetune']['lora']
    assert (default['lr'], default['steps'], default['targets']) == (sw['chosen']['lr'], sw['chosen']['steps'], sw['chosen']['targets']), "the model ships the sweep's choice"
    assert m['finetune_settings']['lr'] == default['lr'] and m['finetune_settings']['steps'] == default['steps'], "the card's gate ran the shipped default"
    assert sw['rule'].startswith('highest ImPoster pose-and-identity score among the settings whose identity gate'), "the page says the gate-first rule chose"
    grid_lrs, grid_steps = sorted({k[0] for k in imp}), sorted({k[1] for k in imp})
    res['sweep grid'] = f"over lr {', '.join(e(x) for x in grid_lrs)} x {', '.join(map(str, grid_steps))} steps on {ch['n_pairs']} dev pairs"
    res['default in the gate table'] = f"| after the default finetune (LoRA on attention + ResNet, lr {e(default['lr'])}, {default['steps']} steps) on a dev source's image alone: identity |"
    pose_rule, hi = max(imp.values(), key=lambda r: r['pose_identity']), [imp[(1e-2, k)] for k in (250, 500)]   # the rule without the gate
    assert (pose_rule['lr'], pose_rule['steps']) == (1e-3, 250), "the page names the pose-aware rule's choice"
    pi = lambda r: f"{f3(r['pose_identity'])} ± {f3(r['pose_identity_se'])}"
    res['sweep: chosen'] = (f"It chose lr {e(sw['chosen']['lr'])}, {sw['chosen']['steps']} steps:\npose and identity {pi(ch)}, identity {f3(ch['identity'])}, "
                            f"target action {f3(ch['action_right'])}")
    res['sweep: without the gate'] = f"lr 1e-3 and\n250 steps, scores {pi(pose_rule)}"
    res['sweep: identity range'] = (f"ImPoster's samples keep {f2(min(r['identity'] for r in imp.values()))} to {f2(max(r['identity'] for r in imp.values()))} "
                                    f"of the source's attributes")
    res['sweep: lr 1e-2'] = f"at lr 1e-2 draw the target action in only {f2(min(r['action_right'] for r in hi))} to {f2(max(r['action_right'] for r in hi))}"
    world2 = max([r for r in imp.values() if r['identity'] >= 0.8] or imp.values(), key=lambda r: r['identity'])   # the world-v2 rule on this grid
    res['sweep: the world-v2 rule'] = f"would have taken lr {e(world2['lr'])} and {world2['steps']} steps"
    s3 = load('finetune-default/seed3/summary.json')   # the same grid on a fresh draw: a check
    i3 = {(r['lr'], r['steps']): r for r in s3['settings'] if r['preset'] == 'imposter'}
    d3, low = i3[(default['lr'], default['steps'])], [k for k in i3 if k[0] < 1e-2 and k != (default['lr'], default['steps'])]   # the other settings below lr 1e-2
    assert all(i3[k]['pose_identity'] <= d3['pose_identity'] for k in low), "the page says the default ranks first of them (ties included)"
    assert all(i3[k]['pose_identity'] > i3[(1e-3, 250)]['pose_identity'] for k in i3 if k[0] < 1e-2 and k != (1e-3, 250)), "and the pose-aware choice last"
    top = 'tied for\nthe highest' if any(i3[k]['pose_identity'] == d3['pose_identity'] for k in low) else 'the highest'
    res['sweep on a fresh draw'] = (f"the default {pi(d3)}, {top} of the four settings below lr 1e-2 (the others "
                                    f"{f3(min(i3[k]['pose_identity'] for k in low))} to {f3(max(i3[k]['pose_identity'] for k in low))}); lr 1e-3 and 250 steps "
                                    f"{pi(i3[(1e-3, 250)])}, the\nlowest")
    gates = load('finetune-default/identity-gate.json')   # the card's gate at every sweep setting
    gate = {(g['finetune_settings']['lr'], g['finetune_settings']['steps']): g['finetuned_identity'] for g in gates.values()}
    assert set(gate) == set(imp) and gate[(default['lr'], default['steps'])] == m['finetuned_identity'], "the grid is the sweep's, and its default is the card's"
    res['gate without the gate-first rule'] = f"keeps {f3(gate[(1e-3, 250)])} on the same dev sources"
    res['gate at every sweep setting'] = "gate at every setting: " + '; '.join(f"lr {e(lr)}, {st} steps {f3(gate[(lr, st)])}" for lr, st in sorted(gate))

    # the identity gate on held-out draws (results/identity-gate/)
    ia = load('identity-gate/summary.json')
    draws = ('test', 'seed3', 'seed4')
    row = lambda on: ' | '.join([t_ci(m['finetuned_identity' + ('' if on == 'source' else '_pair') + '_per_source'])] + [t_ci(ia[f'{d}-{on}']['per_source']) for d in draws]
                                + [t_ci([v for d in draws for v in ia[f'{d}-{on}']['per_source']])])
    pooled = lambda on: [v for d in draws for v in ia[f'{d}-{on}']['per_source']]
    res['held-out draws: sources'] = f"| test + seeds 3, 4 ({len(pooled('source'))} sources) |"
    res['held-out draws: image alone'] = f"| source image alone (the gate) | {row('source')} |"
    res['held-out draws: pair'] = f"| first pair (as the method) | {row('pair')} |"
    from imposter.stats import mean_ci
    mu, h, n = mean_ci(pooled('source'))
    assert mu > 0.8 and all(ia[f'{d}-source']['identity'] > 0.8 for d in draws), "the page says the gate is passed on every draw and by the pooled mean"
    assert all(ia[f'{d}-pair']['identity'] < ia[f'{d}-source']['identity'] for d in draws), "the page says the pair keeps less on every draw"
    res['held-out draws: pooled'] = (f"pooled over the {n} held-out sources the mean is above it, "
                                     + ("and so is the whole interval" if mu - h > 0.8 else f"though its interval reaches down to {mu - h:.3f}"))
    ia1 = load('identity-gate/lr1e-3-250/summary.json')   # at the first default
    rng = lambda on: f"{f3(min(ia1[f'{d}-{on}']['identity'] for d in draws))} to {f3(max(ia1[f'{d}-{on}']['identity'] for d in draws))}"
    res['held-out draws at the first default'] = f"the same readings were {rng('source')} on the image alone and {rng('pair')} on the pair"

    # Table 1 (results/table1/)
    t1 = load('table1/results.json')
    te, sec = t1['unseen'], t1['timing']['seconds']
    fr = load('table1/fresh-draw/results.json')['unseen']
    dev_choice = load('table1/dev-choice.json')
    res['Table 1'] = table1_rows(te, sec)
    res['Table 1 findings'] = table1_findings(te, dev_choice['choice'])
    res['Table 1 on a fresh draw'] = table1_fresh(fr, te)
    rank = lambda r: sorted(r, key=lambda k: -r[k]['joint']['mean'])
    assert rank(te)[:2] == ['sdedit', 'cross-image'] and rank(fr)[0] == 'sdedit' and rank(fr)[1] != 'cross-image', \
        "the page says SDEdit keeps its lead on the fresh draw and cross-image attention's second place does not hold"
    unseen = [r for r in csv.DictReader(open(REPO / 'data' / 'puppet-bench' / 'test' / 'puppet64.csv')) if r['seen'] == '0']
    res['Table 1: its pairs'] = f"The table is the test split's {len(unseen)} unseen (subject, action) combinations"
    res['Table 1: dev pairs'] = f"chosen on the dev split ({len(dev_choice['pairs'])} pairs x {len(dev_choice['seeds'])} seeds;"
    res['Table 1: dev pairs, in the caveats'] = f"every method's parameter was chosen on {len(dev_choice['pairs'])} dev pairs"
    readme = {'README table': table1_rows(te, {}, README_METHODS, ('joint', 'action_right', 'subject_right', 'identity')),
              'README table: its pairs': f"test split's {len(unseen)} unseen (subject, action) combinations",
              'README: the target action most often': f"`{max(te, key=lambda k: (te[k]['action_right']['mean'], te[k]['joint']['mean']))}` draws the target action most often"}
    assert not facts(te)[1], "the README says no method keeps this subject in that pose (none meets the goal)"

    # the demo (results/demo/scores.json)
    demo = json.loads((RES / 'demo' / 'scores.json').read_text())
    sc = demo['scores']
    bear = [k for k, p in sc.items() if 'bear meditating' in p['judged']]
    assert bear == ['baseline++', 'imposter'] and all(sc[k]['judged'].count('bear meditating') == 1 for k in bear), "the page names who draws the bear"
    assert all(p['identity'] == 0.25 for p in sc.values()), "the page says every method keeps identity 0.25"
    assert min(p['iou'] for p in sc.values()) > 0.8, "the pages say every method copies the driving pose"
    res['demo: pair'] = f"`imposter demo` on the {demo['split']} split's pair {demo['pair']} (\"{demo['target_prompt']}\""
    res['demo: IoU'] = (f"(Baseline++ IoU {f2(sc['baseline++']['iou'])}, ImPoster {f2(sc['imposter']['iou'])}, `imposter-tuned` {f2(sc['imposter-tuned']['iou'])},\n"
                        f"cross-image attention {f2(sc['cross-image@base']['iou'])})")
    res['demo: subject'] = (f"the judge's probability of the bear, averaged over\nthe two seeds, is {f2(sc['baseline++']['p_source_subject'])} and "
                            f"{f2(sc['imposter']['p_source_subject'])} for them, {f2(sc['imposter-tuned']['p_source_subject'])} for `imposter-tuned`")
    res['demo: seeds'] = f"in one seed of {['no', 'one', 'two', 'three'][len(demo['seeds'])]}"
    readme['demo caption'] = f"`imposter demo` on the {demo['split']} split's pair {demo['pair']} (\"{demo['target_prompt']}\""

    # the world: the intervals, on the world-v1 table (a record)
    from imposter.stats import crossed_mean_ci, pair_means
    v1 = [r for r in csv.DictReader(io.StringIO(record('puppet-table1/scores.csv'))) if r['run'] == 'lora']
    right = {(int(r['pair_id']), r['preset'], r['seed']): float(float(r['action_prob']) > 0.5) for r in v1}
    keys = sorted(k for k in right if k[1] == 'imposter')
    diff = [right[k] - right[(k[0], 'baseline++', k[2])] for k in keys]
    src, act = [(k[0] - 1) // 8 for k in keys], [(k[0] - 1) % 8 for k in keys]
    cr, pp = crossed_mean_ci(diff, src, act), mean_ci(pair_means(diff, src, act)[0])
    res['the world-v1 interval'] = (f"target action +{100 * pp[0]:.1f} ± {100 * pp[1]:.1f}\npoints\" (a t interval over pairs) is "
                                    f"+{100 * cr.mean:.1f} ± {100 * cr.half:.1f} (p = {cr.p:.2f})")

    # the world's design: the pretraining-bias rounds (a record)
    summ = json.loads(record('pretraining-bias/summary.json'))
    pb = {r['standing']: r for r in summ if r['people'] == 0.4 and not r.get('silent') and r.get('text', 'trained') == 'trained' and r.get('design', 'cyclic') == 'cyclic'}
    res['pretraining bias: the cyclic model'] = f"(wrong action on {f3(pb[0.6]['unseen_wrong_action'])} of\nthem)"
    res['pretraining bias'] = (f"{f3(pb[0.6]['unseen_wrong_action'])} at the\nstanding share of 0.6 to "
                               f"{', '.join(f3(pb[k]['unseen_wrong_action']) for k in (0.9, 0.95))} and {f3(pb[0.97]['unseen_wrong_action'])} at 0.9, 0.95 and 0.97")
    res['pretraining bias: seen action'] = f"action on seen captions ({f2(pb[0.95]['seen_action'])}, where the gate asks 0.70)"
    rb = json.loads(record('pretraining-bias/regate-block06.json'))
    dr = {r['model']: r for r in json.loads(record('pretraining-bias/drawn-actions.json'))}
    res['pretraining bias: block design'] = (f"draws the named action on {f3(rb['seen_action'])} of {rb['n_seen']} seen\ncaptions and the wrong one on "
                                             f"{f3(rb['unseen_wrong_action'])} of {rb['n_unseen']} unseen ones, mostly one of the subject's own seen actions "
                                             f"({f3(dr['block06']['drawn_seen'])} of the\ngate's samples)")

    # the body colour: the world-v2 block model and the world-v3 pilot (records)
    m2 = json.loads(record('puppet-train-v2-block/metrics.json'))['metrics']
    res['v2: finetuned identity'] = f"the default finetune keeps {f2(m2['finetuned_identity'])} identity where the world's gate asks 0.8"
    pa = json.loads(record('identity-attributes/summary.json'))['dev-pair']['per_attribute']
    res['v2: the shade lost'] = (f"read its pattern in {f3(pa['pattern'])} of the dev samples, its accessory in {f3(pa['accessory'])} and its body shade "
                                 f"in only {f3(pa['body'])}")
    v3 = json.loads(record('world-v3-pilot/summary.json'))['card']['v3']
    res['world v3 pilot: subject'] = f"text-to-image samples show the named subject in only {f3(v3['seen_subject'])}\n(gate 0.8)"

    # the models before it: Table 1 on the world-v2 block and cyclic models (records)
    blk = json.loads(record('table1-v2-block/results.json'))['unseen']
    topb = max(blk, key=lambda k: blk[k]['joint']['mean'])
    assert topb == 'imposter-tuned' and min(v['holm_p'] for k in blk for c, v in blk[k].items() if c.endswith('_diff')) >= 0.05, "the record's sentence"
    res['block record'] = (f"`imposter-tuned` had the highest pose + identity ({f2(blk[topb]['joint']['mean'])}), drawing the target action in "
                           f"{f2(blk[topb]['action_right']['mean'])} of the\nunseen test pairs with identity {f2(blk[topb]['identity']['mean'])}")
    cyc = json.loads(record('table1-v2/results.json'))['unseen']['baseline++']
    res['cyclic record: Baseline++'] = f"Baseline++ drew the target action in {f2(cyc['action_right']['mean'])} of that test split's unseen pairs"
    dc = json.loads(record('default-choice/results.json'))
    tuned = lambda c: f2(dc['test']['unseen']['imposter-tuned'][c]['mean'])
    res['cyclic record: tuned on test'] = f"target action {tuned('action_right')}, subject {tuned('subject_right')} and identity {tuned('identity')}"
    res.update(judge_claims())
    return {'README.md': readme, 'Results page': res}

def judge_table(jv:dict) -> str:
    "The Results page's table of the judges on the hybrids (results/judge-v3/summary.json): one column per judge."
    rows = [('gates passed, dev draw (seed 50)', lambda j: f"{sum(g['passed'] for g in j['hybrids']['50']['gates'])} of {len(j['hybrids']['50']['gates'])}")]
    for kind, what, label in (('colour_swap', 'by_shape', 'colour swap, read by shape (>= 0.95)'),
                              ('off_palette', 'by_shape', 'off-palette, read by shape (>= 0.95)'),
                              ('painted_person', 'as_colour', "painted person, read as the colour's animal (<= 0.05)"),
                              ('person_headed', 'as_body', "person-headed, read as the body's animal (<= 0.05)"),
                              ('scrambled', 'any_action', 'scrambled, an action read (<= 1/12)'),
                              ('moment_blob', 'any_action', 'moment blob, an action read (<= 1/12)')):
        rows.append((label, lambda j, k=kind, w=what: f3(j['hybrids']['50']['readings'][k][w])))
    for s in ('0.3', '0.7'):
        rows.append((f'img2img samples at strength {s}: subject', lambda j, s=s: f3(j['validate'][f'img2img_{s}']['subject'])))
    if any('62' in j['hybrids'] for j in jv.values()):
        rows.append(('gates passed, gate draw (seed 62, read once)', lambda j: (f"{sum(g['passed'] for g in j['hybrids']['62']['gates'])} of "
                                                                               f"{len(j['hybrids']['62']['gates'])}") if '62' in j['hybrids'] else '-'))
    lines = ['| reading | ' + ' | '.join(jv) + ' |', '|---|' + '---|'*len(jv)]
    return '\n'.join(lines + [f'| {label} | ' + ' | '.join(f(j) for j in jv.values()) + ' |' for label, f in rows])

def judge_claims() -> dict:
    "The Results page's numbers on the judges and the hybrids (results/judge-v3/)."
    jv = load('judge-v3/summary.json')['judges']
    h2 = jv['v2']['hybrids']['50']['readings']
    assert all(h2[k]['any_action'] == 1.0 for k in ('blurred', 'scrambled', 'moment_blob')), "the page says: an action in every blob"
    return {'judge v2 on hybrids': (f"it reads a colour-swapped animal as the colour's subject in {f3(h2['colour_swap']['as_colour'])} of "
                                    f"{h2['colour_swap']['n']} and by its shape in {f3(h2['colour_swap']['by_shape'])}, a person painted in an "
                                    f"animal's colours as that animal in {f3(h2['painted_person']['as_colour'])}, an animal body under a person's "
                                    f"head as that animal in {f3(h2['person_headed']['as_body'])}"),
            'judge table': judge_table(jv)}

# ---- the numbers no claim recomputes: definitions, pinned with their words ------------------------------------------

CONSTANTS = {
    'README.md': [
        # the "reproduced and fixed" table: the paper's and the authors' settings, and this library's
        'lr 2e-6, 500 iterations', '(default, rank 4, peft)', 'first K of 50 DDIM steps', '(paper K=5, code K=6)', 'the same, K=5,',
        'Eq. 3', 's_a=1e-6, s_p=1e-3', '~1e-6 of its RMS', 'chance level 0.75', "the paper's gain is 0.0014", '(0 at chance, 1 identical)',
        'Table 1', 'crossed 95% intervals',
    ],
    'Results page': [
        # the world and its benchmark (10_puppets, 13_puppet_bench)
        'world v4', 'chance 0.25', '8 sources x 8 driving actions', '(seed 1)', '(seed 2)', 'min(sources, actions) - 1',
        'the same four of the eight benchmark actions', 'the animals\' four unseen actions', 'four of the eight animals',
        'four\nvalues each', 'world-v1', 'Table 1',
        # the gates (the world's specification, 11_puppet_train)
        '200 held-out renders', '>= 30 dB', '>= 0.98 / 0.95', '>= 0.95 / 0.90', '(strength 0.3)', '>= 0.80 / 0.70', '(chance 0.25)',
        '0.25 ± 0.1', '>= 0.60', '>= 0.80', "gate's 0.8", 'the gate asks 0.70', 'gate asks 0.8', '(gate 0.8)', '(gate: 90)', '(gate: 30)',
        "the world's gate asks 0.8", 'standing share of 0.6', 'at 0.9, 0.95 and 0.97', 'from 0.95 on',
        # the model (data/puppet-sd's layout)
        'SD 2.1', '64x64 pixels', '2-core CPU', '2-core CPU machine',
        # the sweep's design (finetune_sweep.py)
        '(rank 4,', '(K = 5)', 'identity 0.8 in\nImPoster\'s samples', 'commit 041f07a', 'seed 3', 'seed=3', 'seed=4', 'seeds 3, 4',
        'below lr 1e-2', 'lr 1e-2 gives up the pose', 'at 8 pairs', '(LoRA lr 1e-4, 500 steps)', 'two batch-1\nsteps per iteration',
        '500 iterations make 1,000 updates', '(lr 1e-3,\n250 steps)', 'lr 1e-3 and 250 steps', '8 sources per draw', 'seed 4',
        # Table 1's design (table1.py) and the papers it cites
        'Alaluf et al.\n2024', 'Cao et al. 2023', '8 sources with only 4 actions', '3 degrees of freedom', 'at least 80%', '(p >= 0.9)',
        'at least 0.9 x Baseline++\'s', 'one seed each', 'crossed 95% intervals', 'two one-thread CPU processes', 'its 32 unseen pairs',
        'The 32 unseen pairs', 'four pairs', '95% t interval', 'the first K steps',
        # the demo's presets (imposter.methods.PRESETS)
        'the first 10 steps', 'LoRA at weight 0.375', 'the identity score is 0.25', 'Two seeds of one pair', 'LoRA weight 0.375',
        'commit 259d20f',
        # the hybrid draws (results/draws.md)
        'hybrids (seed 50)', 'gate draw (seed 62, unread)',
    ],
}

# ---- the coverage of a page's numbers ---------------------------------------------------------------------------------

NUMBER = re.compile(r'(?<![\w.\-/#@])[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e-\d+)?(?![\w])')

def prose(text:str) -> str:
    "A page's text without what holds no stated number: fenced code, inline code, link targets and HTML comments."
    text = re.sub(r'^(```|````).*?^\1\s*$', ' ', text, flags=re.S | re.M)
    text = re.sub(r'<!--.*?-->', ' ', text, flags=re.S)
    text = re.sub(r'\]\([^)\s]*\)', '] ', text)
    return re.sub(r'`[^`\n]*`', lambda mo: ' ' * len(mo[0]), text)

def flat(s:str) -> str: return ' '.join(s.split())

def uncovered(text:str, phrases:list) -> list:
    "The numbers of `text`'s prose that none of `phrases` holds (white space collapsed): (number, its context)."
    t = flat(prose(text))
    mask = [False] * len(t)
    for ph in phrases:
        p = flat(prose(ph))
        if not p: continue
        for mo in re.finditer(re.escape(p), t):
            for i in range(mo.start(), mo.end()): mask[i] = True
    return [(mo[0], t[max(0, mo.start() - 50):mo.end() + 30]) for mo in NUMBER.finditer(t) if not all(mask[mo.start():mo.end()])]

def main() -> int:
    bad, n_claims, n_numbers, n_constant = [], 0, 0, 0
    for page, want in claims().items():
        text = PAGES[page].read_text()
        flat_text = flat(text)
        n_claims += len(want)
        for k, v in want.items():
            if flat(v) not in flat_text: bad.append(f"{page} does not say the {k} of the committed results: expected {v!r}")
        missing = [c for c in CONSTANTS[page] if flat(c) not in flat_text]
        bad += [f"{page} no longer says the constant {c!r}: edit CONSTANTS in tools/check_numbers.py with it, if it changed on purpose" for c in missing]
        free = uncovered(text, list(want.values()) + CONSTANTS[page])
        n_numbers += len(NUMBER.findall(flat(prose(text))))
        n_constant += len(uncovered(text, list(want.values()))) - len(free)   # the numbers only a constant holds
        bad += [f"{page} states {num} ('...{ctx}...'), which no claim recomputes and no constant holds" for num, ctx in free[:8]]
        if len(free) > 8: bad.append(f"{page}: and {len(free) - 8} more numbers that nothing holds (a claim that no longer matches leaves all of its numbers so)")
    for b in bad: print(b)
    print(f"{n_numbers} numbers in README.md and docs/results.md: {n_numbers - n_constant} in {n_claims} claims recomputed from the "
          f"committed results, {n_constant} in pinned constants; {'all match' if not bad else f'{len(bad)} problem(s)'}")
    return 1 if bad else 0

if __name__ == '__main__':
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()   # no flags: --help
    sys.exit(main())

"""Recompute the README's headline numbers from the committed result files and check that the README says them.

    python tools/check_readme_numbers.py      # exit 1, naming each number that differs, if any does

Each claim is a string the README must contain, built here from the file that holds the number: the embedded world-v4
model's gates (`results/puppet-train-v4/metrics.json`), its dev-split finetune sweep, the gate at each of its
settings and the sweep on a fresh draw (`results/finetune-sweep-v4/`), its identity gate on held-out draws
(`results/identity-attributes-v4/summary.json`, and at the first default `lr1e-3-250/summary.json`), its Table 1
(`results/table1-v2-v4/`, through `table1_v2.readme_table`, `readme_findings_v4` and `readme_fresh`), the demo's
scores (`results/demo/scores.json`), the pretraining-bias rounds (`results/pretraining-bias/`), and the records of the
models before it: the world-v2 block model's card, identity attributes and Table 1 v2 (`results/puppet-train-v2-block/`,
`results/identity-attributes/`, `results/table1-v2-block/`), the cyclic world's (`results/default-choice/`,
`results/table1-v2/`) and the world v3 pilot (`results/world-v3-pilot/`). A number edited by hand in the README, or a
result file rerun without the README, fails the check.
"""
import json, sys
from pathlib import Path
import numpy as np

REPO = Path(__file__).resolve().parents[1]
RES = REPO / 'nbs' / 'experiments' / 'results'

def claims() -> dict:
    "{what: the exact text the README must contain}, each recomputed from a committed file."
    card = json.loads((RES / 'puppet-train-v4' / 'metrics.json').read_text())
    m, times, sizes = card['metrics'], card['times'], card['sizes']
    f2, f3 = (lambda v: f'{v:.2f}'), (lambda v: f'{v:.3f}')
    verdict = lambda ok: 'pass' if ok else '**missed**'
    sys.path.insert(0, str(REPO / 'nbs' / 'experiments'))
    from world_v3_pilot import _ci   # mean ± 95% t interval over sources
    out = {
        'VAE gate': f"| {m['vae_psnr']:.1f} dB | >= 30 dB | {verdict(m['vae_psnr'] >= 30)} |",
        'judge on fresh renders': f"| {f3(m['judge_clean_subject'])} / {f3(m['judge_clean_identity'])} |",
        'judge after the VAE': f"| {f3(m['judge_vae_subject'])} / {f3(m['judge_vae_identity'])} |",
        'judge on img2img samples': f"| {f3(m['judge_img2img_subject'])} / {f3(m['judge_img2img_identity'])} | reported |",
        'seen captions': f"| {f2(m['seen_subject'])} / {f2(m['seen_action'])} |",
        'base-model identity': f"| {f3(m['base_identity'])} | 0.25 ± 0.1 | {verdict(abs(m['base_identity'] - 0.25) <= 0.1)} |",
        'unseen wrong action': f"| {f3(m['unseen_wrong_action'])} | >= 0.60 | {verdict(m['unseen_wrong_action'] >= 0.6)} |",
        'finetuned identity': f"| {f3(m['finetuned_identity'])} | >= 0.80 | {verdict(m['finetuned_identity'] >= 0.8)} |",
        'pair identity': f"| {f3(m['finetuned_identity_pair'])} | reported |",
        'whole-UNet identity': f"| {f3(m['finetuned_identity_full'])} | reported |",
        'training time and size': (f"{sum(times[k] for k in ('render', 'vae', 'unet', 'judge')) / 60:.0f} minutes of training stages on the 2-core CPU "
                                   f"(gate: 90) and {sum(sizes.values()) / 1e6:.1f} MB"),
    }
    assert m['finetune_settings']['on'] == 'source' and 'on' not in m['finetune_settings_pair'], "the gate reads the image alone, the pair is reported"
    sw = json.loads((RES / 'finetune-sweep-v4' / 'summary.json').read_text())
    imp = {(r['lr'], r['steps']): r for r in sw['settings'] if r['preset'] == 'imposter' and r['method'] == 'lora' and r['rank'] == 4}
    ch = imp[(sw['chosen']['lr'], sw['chosen']['steps'])]
    default = json.loads((REPO / 'data' / 'puppet-sd' / 'imposter.json').read_text())['finetune']['lora']
    assert (default['lr'], default['steps'], default['targets']) == (sw['chosen']['lr'], sw['chosen']['steps'], sw['chosen']['targets']), "the model ships the sweep's choice"
    assert m['finetune_settings']['lr'] == default['lr'] and m['finetune_settings']['steps'] == default['steps'], "the card's gate ran the shipped default"
    e = lambda lr: f"{lr:.0e}".replace('e-0', 'e-')   # 1e-3, as the README writes it
    assert sw['rule'].startswith('highest ImPoster pose-and-identity score among the settings whose identity gate'), "the README says the gate-first rule chose"
    pose_rule, hi = max(imp.values(), key=lambda r: r['pose_identity']), [imp[(1e-2, k)] for k in (250, 500)]   # the rule without the gate
    assert (pose_rule['lr'], pose_rule['steps']) == (1e-3, 250), "the README names the pose-aware rule's choice"
    pi = lambda r: f"{f3(r['pose_identity'])} ± {f3(r['pose_identity_se'])}"
    out['sweep: chosen'] = (f"lr {e(sw['chosen']['lr'])}, {sw['chosen']['steps']} steps: pose and identity {pi(ch)}, identity {f3(ch['identity'])}, "
                            f"target action {f3(ch['action_right'])}")
    out['sweep: without the gate'] = f"lr 1e-3 and 250 steps, scores {pi(pose_rule)}"
    out['sweep: identity range'] = (f"ImPoster's samples keep {f2(min(r['identity'] for r in imp.values()))} to {f2(max(r['identity'] for r in imp.values()))} "
                                    f"of the source's attributes")
    out['sweep: lr 1e-2'] = f"at lr 1e-2 draw the target action in only {f2(min(r['action_right'] for r in hi))} to {f2(max(r['action_right'] for r in hi))}"
    s3 = json.loads((RES / 'finetune-sweep-v4' / 'seed3' / 'summary.json').read_text())   # the same grid on a fresh draw: a check
    i3 = {(r['lr'], r['steps']): r for r in s3['settings'] if r['preset'] == 'imposter'}
    d3, low = i3[(default['lr'], default['steps'])], [k for k in i3 if k[0] < 1e-2 and k != (default['lr'], default['steps'])]   # the other settings below lr 1e-2
    assert all(i3[k]['pose_identity'] <= d3['pose_identity'] for k in low), "the README says the default ranks first of them (ties included)"
    assert all(i3[k]['pose_identity'] > i3[(1e-3, 250)]['pose_identity'] for k in i3 if k[0] < 1e-2 and k != (1e-3, 250)), "and the pose-aware choice last"
    top = 'tied for the highest' if any(i3[k]['pose_identity'] == d3['pose_identity'] for k in low) else 'the highest'
    out['sweep on a fresh draw'] = (f"the default {pi(d3)}, {top} of the four settings below lr 1e-2 (the others "
                                    f"{f3(min(i3[k]['pose_identity'] for k in low))} to {f3(max(i3[k]['pose_identity'] for k in low))}); lr 1e-3 and "
                                    f"250 steps {pi(i3[(1e-3, 250)])}, the lowest")
    grid = json.loads((RES / 'finetune-sweep-v4' / 'identity-gate.json').read_text())   # the card's gate at every sweep setting
    gate = {(g['finetune_settings']['lr'], g['finetune_settings']['steps']): g['finetuned_identity'] for g in grid.values()}
    assert set(gate) == set(imp) and gate[(default['lr'], default['steps'])] == m['finetuned_identity'], "the grid is the sweep's, and its default is the card's"
    out['gate without the gate-first rule'] = f"keeps {f3(gate[(1e-3, 250)])} on the same dev sources"
    out['gate at every sweep setting'] = '; '.join(f"lr {e(lr)}, {st} steps {f3(gate[(lr, st)])}" for lr, st in sorted(gate))
    ia = json.loads((RES / 'identity-attributes-v4' / 'summary.json').read_text())
    draws = ('test', 'seed3', 'seed4')
    row = lambda on: ' | '.join([_ci(m['finetuned_identity' + ('' if on == 'source' else '_pair') + '_per_source'])] + [_ci(ia[f'{d}-{on}']['per_source']) for d in draws]
                                + [_ci([v for d in draws for v in ia[f'{d}-{on}']['per_source']])])
    out['identity on held-out draws: image alone'] = f"| source image alone (the gate) | {row('source')} |"
    out['identity on held-out draws: pair'] = f"| first pair (as the method) | {row('pair')} |"
    ia1 = json.loads((RES / 'identity-attributes-v4' / 'lr1e-3-250' / 'summary.json').read_text())   # at the first default (a record)
    rng = lambda on: f"{f3(min(ia1[f'{d}-{on}']['identity'] for d in draws))} to {f3(max(ia1[f'{d}-{on}']['identity'] for d in draws))}"
    out['held-out draws at the first default'] = f"the same readings were {rng('source')} on the image alone and {rng('pair')} on the pair"
    demo = json.loads((RES / 'demo' / 'scores.json').read_text())['scores']
    bear = [k for k, p in demo.items() if 'bear meditating' in p['judged']]
    assert bear == ['baseline++', 'imposter'] and all(demo[k]['judged'].count('bear meditating') == 1 for k in bear), "the caption names who draws the bear"
    assert all(p['identity'] == 0.25 for p in demo.values()), "the caption says every method keeps identity 0.25"
    out['demo: IoU'] = (f"(Baseline++ IoU {f2(demo['baseline++']['iou'])}, ImPoster {f2(demo['imposter']['iou'])}, `imposter-tuned` "
                        f"{f2(demo['imposter-tuned']['iou'])}, cross-image attention {f2(demo['cross-image@base']['iou'])})")
    out['demo: subject'] = (f"the judge's probability of the bear, averaged over the two seeds, is {f2(demo['baseline++']['p_source_subject'])} and "
                            f"{f2(demo['imposter']['p_source_subject'])} for them, {f2(demo['imposter-tuned']['p_source_subject'])} for `imposter-tuned`")
    dc = json.loads((RES / 'default-choice' / 'results.json').read_text())
    tuned = lambda tag, c: f2(dc[tag]['unseen']['imposter-tuned'][c]['mean'])
    out['cyclic record: tuned on test'] = (f"target action {tuned('test', 'action_right')}, subject {tuned('test', 'subject_right')} and identity "
                                          f"{tuned('test', 'identity')}")
    summ = json.loads((RES / 'pretraining-bias' / 'summary.json').read_text())
    pb = {r['standing']: r for r in summ if r['people'] == 0.4 and not r.get('silent') and r.get('text', 'trained') == 'trained' and r.get('design', 'cyclic') == 'cyclic'}
    out['pretraining bias'] = (f"{f3(pb[0.6]['unseen_wrong_action'])} at the standing share of 0.6 to "
                               f"{', '.join(f3(pb[k]['unseen_wrong_action']) for k in (0.9, 0.95))} and {f3(pb[0.97]['unseen_wrong_action'])} at 0.9, 0.95 and 0.97")
    out['pretraining bias: seen action'] = f"action on seen captions ({f2(pb[0.95]['seen_action'])}, where the gate asks 0.70)"
    rb = json.loads((RES / 'pretraining-bias' / 'regate-block06.json').read_text())
    dr = {r['model']: r for r in json.loads((RES / 'pretraining-bias' / 'drawn-actions.json').read_text())}
    out['pretraining bias: block design'] = (f"on {f3(rb['seen_action'])} of {rb['n_seen']} seen captions and the wrong one on "
                                             f"{f3(rb['unseen_wrong_action'])} of {rb['n_unseen']} unseen ones,\nmostly one of the subject's own "
                                             f"seen actions ({f3(dr['block06']['drawn_seen'])} of the gate's samples)")
    import table1_v2
    from table1_v2 import readme_table, readme_findings_v4, readme_fresh
    T1 = table1_v2.RESULTS
    assert T1.name == 'table1-v2-v4', T1   # the shipped model's table
    out['Table 1'] = readme_table()
    out['Table 1 findings'] = readme_findings_v4()
    out['Table 1 on a fresh draw'] = readme_fresh()
    te, fr = (json.loads((T1 / f / 'results.json').read_text())['unseen'] for f in ('.', 'fresh-draw'))
    rank = lambda r: sorted(r, key=lambda k: -r[k]['joint']['mean'])
    assert rank(te)[:2] == ['sdedit', 'cross-image'] and rank(fr)[0] == 'sdedit' and rank(fr)[1] != 'cross-image', \
        "the README says SDEdit keeps its lead on the fresh draw and cross-image attention's second place does not hold"
    table1_v2.use_world('block')   # the world-v2 block model's record
    blk = json.loads((table1_v2.RESULTS / 'results.json').read_text())['unseen']
    top = max(blk, key=lambda k: blk[k]['joint']['mean'])
    assert top == 'imposter-tuned' and min(v['holm_p'] for k in blk for c, v in blk[k].items() if c.endswith('_diff')) >= 0.05, "the record's sentence"
    out['block record'] = (f"`imposter-tuned` had the highest pose + identity ({f2(blk[top]['joint']['mean'])}), drawing the target action in "
                           f"{f2(blk[top]['action_right']['mean'])} of the unseen test pairs with identity {f2(blk[top]['identity']['mean'])}")
    cyc = json.loads((RES / 'table1-v2' / 'results.json').read_text())['unseen']['baseline++']
    out['cyclic record: Baseline++'] = f"Baseline++ drew the target action in {f2(cyc['action_right']['mean'])} of that test split's unseen pairs"
    m2 = json.loads((RES / 'puppet-train-v2-block' / 'metrics.json').read_text())['metrics']   # the world-v2 block model (a record)
    out['finetuned identity, rounded'] = f"the default finetune keeps {f2(m2['finetuned_identity'])} identity where the world's gate asks 0.8"
    pa = json.loads((RES / 'identity-attributes' / 'summary.json').read_text())['dev-pair']['per_attribute']
    out['v2: the shade lost'] = (f"read its pattern in {f3(pa['pattern'])} of the dev samples, its accessory in {f3(pa['accessory'])} and its body shade "
                                 f"in only {f3(pa['body'])}")
    v3 = json.loads((RES / 'world-v3-pilot' / 'summary.json').read_text())['card']['v3']
    out['world v3 pilot: subject'] = f"text-to-image samples show the named subject in only {f3(v3['seen_subject'])} (gate 0.8)"
    return out

def main() -> int:
    readme = (REPO / 'README.md').read_text()
    flat = ' '.join(readme.split())   # the README wraps its prose; compare with white space collapsed
    want = claims()
    bad = [k for k, v in want.items() if v not in readme and ' '.join(v.split()) not in flat]
    for k in bad: print(f"README.md does not say the {k} of the committed results: expected {want[k]!r}")
    print(f"{len(want) - len(bad)} of {len(want)} README numbers match the committed results")
    return 1 if bad else 0

if __name__ == '__main__': sys.exit(main())

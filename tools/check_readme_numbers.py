"""Recompute the README's headline numbers from the committed result files and check that the README says them.

    python tools/check_readme_numbers.py      # exit 1, naming each number that differs, if any does

Each claim is a string the README must contain, built here from the file that holds the number: the embedded model's
gates (`results/puppet-train-v2/metrics.json`, and the identity on the test split's sources in `identity-dropout.jsonl`), the demo's scores (`results/demo/scores.json`), the Table 1 v2
table (`results/table1-v2/results.json`, through `table1_v2.readme_table`), the LoRA-weight run (`results/lora-scale/results.json`),
the default's check on the test split and a fresh draw (`results/default-choice/results.json`), and the pretraining-bias
run (`results/pretraining-bias/summary.json`, with its frozen-text-encoder rows, `by-group.json`, `probe-bias95.csv`, the block design's `regate-block06.json` and `drawn-actions.json`). A number edited by hand in the README, or a
result file rerun without the README, fails the check.
"""
import json, sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RES = REPO / 'nbs' / 'experiments' / 'results'

def claims() -> dict:
    "{what: the exact text the README must contain}, each recomputed from a committed file."
    m = json.loads((RES / 'puppet-train-v2' / 'metrics.json').read_text())['metrics']
    f2, f3 = (lambda v: f'{v:.2f}'), (lambda v: f'{v:.3f}')
    out = {
        'VAE gate': f"| {m['vae_psnr']:.1f} dB | >= 30 dB | pass |",
        'judge on fresh renders': f"| {f3(m['judge_clean_subject'])} / {f3(m['judge_clean_identity'])} |",
        'judge after the VAE': f"| {f3(m['judge_vae_subject'])} / {f3(m['judge_vae_identity'])} |",
        'seen captions': f"| {f2(m['seen_subject'])} / {f2(m['seen_action'])} |",
        'base-model identity': f"| {f3(m['base_identity'])} | 0.25 ± 0.1 |",
        'unseen wrong action': f"| {f3(m['unseen_wrong_action'])} | >= 0.60 |",
        'finetuned identity': f"| {f3(m['finetuned_identity'])} | >= 0.80 |",
        'finetuned identity, rounded': f"finetune reaches {f2(m['finetuned_identity'])} identity where the world's gate asks 0.8",
        'whole-UNet identity': f"| {f3(m['finetuned_identity_full'])} | reported |",
        'whole-UNet identity, prose': f"keep {f3(m['finetuned_identity_full'])} of the\nattributes on the 8 dev sources",
    }
    demo = json.loads((RES / 'demo' / 'scores.json').read_text())['scores']
    imposter, rival = ('baseline++', 'imposter', 'imposter-tuned'), 'cross-image@base'
    out['demo IoU'] = '(IoU ' + ', '.join(f2(demo[p]['iou']) for p in imposter) + ')'
    out['demo identity'] = '(identity ' + ', '.join(f2(demo[p]['identity']) for p in imposter) + ' of'
    out['demo rival'] = f"(IoU {f2(demo[rival]['iou'])}) but draws another bear (identity {f2(demo[rival]['identity'])})"
    ls = json.loads((RES / 'lora-scale' / 'results.json').read_text())['unseen']
    trio = lambda m: tuple(f2(ls[m][c]['mean']) for c in ('action_right', 'subject_right', 'identity'))
    out['LoRA-scale SDEdit'] = 'target action {}, subject {} and identity {}'.format(*trio('sdedit x0.5'))
    out['LoRA-scale cross-image'] = 'reaches {}, {} and {} on'.format(*trio('cross-image x0.5'))
    out['LoRA-scale imposter-x0'] = 'at weight 0.5 reaches target action {}, subject {} and identity {}'.format(*trio('imposter-x0 x0.5'))
    out['LoRA-scale imposter-x0 joint'] = f"pose + identity {f2(ls['imposter-x0 x0.5']['joint']['mean'])} (Baseline++: {f2(ls['baseline++']['joint']['mean'])}; Holm p {ls['imposter-x0 x0.5']['joint_diff']['holm_p']:.2g})"
    out['LoRA-scale pose + identity'] = f"(pose + identity {f2(ls['sdedit x0.5']['joint']['mean'])} and {f2(ls['cross-image x0.5']['joint']['mean'])})"
    dc = json.loads((RES / 'default-choice' / 'results.json').read_text())
    tuned = lambda tag, c: f2(dc[tag]['unseen']['imposter-tuned'][c]['mean'])
    line = lambda tag: f2(0.9 * dc[tag]['unseen']['baseline++']['identity']['mean'])
    out['tuned on test'] = f"it reaches target action {tuned('test', 'action_right')}, subject {tuned('test', 'subject_right')} and identity {tuned('test', 'identity')} (the goal's line: {line('test')})"
    out['tuned on the fresh draw'] = f"it reaches {tuned('fresh', 'action_right')}, {tuned('fresh', 'subject_right')} and {tuned('fresh', 'identity')} (line: {line('fresh')})"
    half = lambda tag: f2(dc[tag]['unseen']['imposter-x0-half']['subject_right']['mean'])
    out['former default subject'] = f"misses the subject on both ({half('test')} and {half('fresh')})"
    jd = dc['pooled']['unseen']['imposter-tuned']['joint_diff']
    out['tuned pooled'] = (f"pose + identity {tuned('pooled', 'joint')} (Baseline++: {f2(dc['pooled']['unseen']['baseline++']['joint']['mean'])}; "
                           f"{jd['mean']:+.2f} ± {jd['half']:.2f}, Holm p {jd['holm_p']:.2g})")
    sub = dc['pooled']['unseen']['imposter-tuned']['subject_right']
    out['tuned subject interval'] = f"the subject's interval reaches {f2(sub['mean'] - sub['half'])}"
    out['tuned identity'] = f"identity, {tuned('pooled', 'identity')} against Baseline++'s {f2(dc['pooled']['unseen']['baseline++']['identity']['mean'])},"
    vs = dc['pooled']['default_vs_rival']
    out['tuned against tuned SDEdit'] = (f"is {vs['joint']['mean']:+.2f} ± {vs['joint']['half']:.2f} on pose + identity (p {vs['joint']['p']:.2g}) and "
                                         f"{vs['identity']['mean']:+.2f} ± {vs['identity']['half']:.2f} on identity")
    ratio = sorted(f2(dc['timing'][t]['ratio_to_baseline']['imposter-tuned']) for t in ('test', 'fresh'))
    out['tuned time'] = f"at {ratio[0]}-{ratio[1]} times Baseline++'s time per image"
    t1v2 = json.loads((RES / 'table1-v2' / 'results.json').read_text())['unseen']['sdedit@base']
    out['tuned against SDEdit'] = (f"(target action {tuned('test', 'action_right')} against {f2(t1v2['action_right']['mean'])}, IoU {tuned('test', 'iou')} against "
                                   f"{f2(t1v2['iou']['mean'])}) and keeps more of the instance (identity {tuned('test', 'identity')} against {f2(t1v2['identity']['mean'])})")
    pb = {r['standing']: r for r in json.loads((RES / 'pretraining-bias' / 'summary.json').read_text()) if r['people'] == 0.4 and not r.get('silent') and r.get('text', 'trained') == 'trained' and r.get('design', 'cyclic') == 'cyclic'}
    out['pretraining bias'] = (f"{f3(pb[0.6]['unseen_wrong_action'])} at the shipped standing share of 0.6 to "
                               f"{', '.join(f3(pb[k]['unseen_wrong_action']) for k in (0.9, 0.95))} and {f3(pb[0.97]['unseen_wrong_action'])} at 0.9, 0.95 and 0.97")
    pp = {r['standing']: r for r in json.loads((RES / 'pretraining-bias' / 'summary.json').read_text()) if r['people'] == 0.2 and not r.get('silent') and r.get('text', 'trained') == 'trained' and r.get('design', 'cyclic') == 'cyclic'}
    out['pretraining bias: fewer people'] = (f"(standing 0.95 with people at 0.2: seen action {f2(pp[0.95]['seen_action'])}, wrong action "
                                             f"{f3(pp[0.95]['unseen_wrong_action'])}; 0.94: {f2(pp[0.94]['seen_action'])} and {f3(pp[0.94]['unseen_wrong_action'])})")
    rg = lambda w: f3(json.loads((RES / 'pretraining-bias' / f'regate-{w}.json').read_text())['seen_action'])
    out['pretraining bias: more samples'] = f"these two draw the named action in only {rg('bias95p20')} and {rg('bias94p20')} of them"
    bg = {r['model']: r for r in json.loads((RES / 'pretraining-bias' / 'by-group.json').read_text())}
    un = [bg[w]['named: animal, unseen action'] for w in ('bias90', 'bias93', 'bias94')]
    out['pretraining bias: by caption kind'] = (f"(unseen animal actions drawn in {f2(min(un))}-{f2(max(un))} of the\nsamples at standing 0.9-0.94)"
                                                f", and where the bias reaches the gate the animals stop acting in their seen combinations\ntoo (at 0.95: "
                                                f"{f3(bg['bias95']['named: animal, seen action'])} seen, {f3(bg['bias95']['named: animal, unseen action'])} unseen)")
    fz = {r['standing']: r for r in json.loads((RES / 'pretraining-bias' / 'summary.json').read_text()) if r.get('text') == 'frozen' and r.get('design', 'cyclic') == 'cyclic'}
    sa = [fz[k]['seen_action'] for k in (0.6, 0.75, 0.9)]
    out['pretraining bias: frozen text encoder'] = (f"on {', '.join(f3(fz[k]['unseen_wrong_action']) for k in (0.6, 0.75))} and {f3(fz[0.9]['unseen_wrong_action'])} "
                                                    f"of unseen captions at standing 0.6, 0.75 and 0.9, with the seen action at {f2(min(sa))}-{f2(max(sa))}")
    rb = lambda w: json.loads((RES / 'pretraining-bias' / f'regate-{w}.json').read_text())
    dr = {r['model']: r for r in json.loads((RES / 'pretraining-bias' / 'drawn-actions.json').read_text())}
    out['pretraining bias: block design'] = (f"on {f3(rb('block06')['seen_action'])} of {rb('block06')['n_seen']} seen captions and the wrong one on "
                                             f"{f3(rb('block06')['unseen_wrong_action'])} of {rb('block06')['n_unseen']} unseen ones,\nmostly one of the subject's own "
                                             f"seen actions ({f3(dr['block06']['drawn_seen'])} of the gate's samples)")
    out['pretraining bias: seen action'] = f"action on seen captions ({f2(pb[0.95]['seen_action'])}, where the gate asks 0.70)"
    sys.path.insert(0, str(REPO / 'nbs' / 'experiments'))
    import csv
    from imposter.stats import mean_ci
    test = [json.loads(l) for l in (RES / 'puppet-train-v2' / 'identity-dropout.jsonl').read_text().splitlines()]
    ci = lambda v: '{0:.2f} ± {1:.2f}'.format(*mean_ci([r['identity'] for r in test if r.get('split') == 'test' and r['variant'] == v]))
    sweep = list(csv.DictReader(open(RES / 'finetune-sweep' / 'sweep.csv')))
    full_pairs = {r['pair_id'] for r in sweep if r['method'] == 'full'}
    def sw(method, lr, steps):   # ImPoster's identity on the whole-UNet rows' pairs
        v = [float(r['identity']) for r in sweep if r['method'] == method and float(r['lr']) == lr and int(r['steps']) == steps
             and r['preset'] == 'imposter' and r['pair_id'] in full_pairs and r['rank'] in ('0', '4')]   # rank 0: the whole UNet
        return f2(sum(v) / len(v))
    out['identity in the new pose'] = (f"UNet at lr 1e-4 keeps {sw('full', 1e-4, 250)} of the identity after 250 iterations and {sw('full', 1e-4, 500)} "
                                       f"after 500, the LoRA default {sw('lora', 3e-3, 500)} on the\nsame pairs")
    out['identity on test sources'] = f"and {ci('full-lr1e-4-steps250')} on the test split's 8 sources, where the LoRA default keeps\n{ci('default')}"
    from table1_v2 import readme_table, COLUMNS
    rows = list(csv.DictReader(open(RES / 'pretraining-bias' / 'probe-bias95.csv')))
    def mean(model, m, col):
        fn = {c: f for c, _, f in COLUMNS}[col]
        vals = [fn(r) for r in rows if r['model'] == model and r['method'] == m]
        return sum(vals) / len(vals)
    gain = lambda model: mean(model, 'imposter-tuned', 'action_right') - mean(model, 'baseline++', 'action_right')
    out['pretraining bias: probe'] = (f"(+{f2(gain('candidate'))} against +{f2(gain('shipped'))}), but keeps the subject in only "
                                      f"{f2(mean('candidate', 'imposter-tuned', 'subject_right'))} of its images ({f2(mean('shipped', 'imposter-tuned', 'subject_right'))} on the shipped model)")
    out['Table 1 v2'] = readme_table()
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

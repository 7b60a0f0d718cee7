"""Execute the method notebooks and keep their outputs in place, or check that executing them again changes nothing.

Usage (from the repository root, with the dev environment active):

    python tools/refresh_outputs.py                       # refresh the outputs of every notebook in NOTEBOOKS, in place
    python tools/refresh_outputs.py nbs/06_viz.ipynb      # one notebook (or several)
    python tools/refresh_outputs.py --check [--out DIR]   # execute again, compare with the outputs in the files; write nothing
    python tools/refresh_outputs.py --measure RUN1 RUN2   # the differences between two refreshed copies (to set the tolerance)

Each notebook is executed in its own process, in its own folder, exactly as `nbdev_test` runs it (execnb's
CaptureShell; the cells `nbdev_test` skips are skipped: `eval: false`, the `tst_flags` of settings.ini, the
`nbdev_export()` call), with one thread and a fixed hash seed so that two runs draw the same pictures. A cell that
raises stops the notebook and fails the run, so `--check` is also these notebooks' test.

What is kept of each cell's outputs: stdout text, and the PNG, plain text, Markdown, HTML and LaTeX of displayed
values (a picture's plain-text fallback, "<Figure size ...>", is dropped). What is dropped: stderr (progress bars and
library warnings, with this machine's paths in them), ipywidgets (a widget needs a live kernel; the docs show a
screenshot instead), and execution counts. The notebook is then cleaned exactly as `nbdev_clean` cleans it with this
repository's settings.ini (`clear_all = False` keeps outputs), so running `nbdev_clean` afterwards changes nothing;
the tool checks that, and that all of NOTEBOOKS together stay within BUDGET bytes, before it writes anything.

`--check` passes a notebook when its outputs have the same cells, kinds and formats as the file's, its texts are
equal once the volatile parts are masked (MASKS: durations and rates, memory addresses, temporary folders, this
clone's and the home folder's path) with their numbers equal within `same_number`'s tolerances (another CPU of the
same kind prints the 7th significant digit differently, and a rounded number one unit of its last digit away), and each picture has the same size and differs from the file's by at most
IMAGE_TOLERANCE grey levels on average (mean absolute difference over all pixels and channels, 0-255). Two runs of
the seven notebooks then listed, on the project's machine, gave identical pictures and, once masked, identical texts; the only
texts that differed before masking were timings (printed durations, a `'seconds': 13.12` in a settings dict, and the
sign of a difference of two timings), which is what MASKS covers.
"""
import argparse, base64, io, json, os, re, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NBS = REPO / 'nbs'
NOTEBOOKS = ['00_fourier', '03_finetune', '04_sampling', '05b_demo', '06_viz', '07a_explore', '08c_rivals', '08d_ctrlx', '10_puppets',
             '14_puppet_judge', '14b_puppet_hybrids', '15_puppet_pose', '15a_pose_detector', '16_puppet_control', '20_metrics', '21_bench']
BUDGET = 4 * 2**20   # bytes: the files of all of NOTEBOOKS together, outputs included
KEEP = ('image/png', 'text/markdown', 'text/html', 'text/latex', 'text/plain')   # formats of a displayed value that are kept
# Mean absolute pixel difference (0-255) allowed between a picture and the same picture drawn again. Two runs on the
# project's machine drew all 13 pictures identically (`--measure`: 0.000 on every one), because every notebook runs
# on one thread with fixed seeds. The allowance of 0.5 absorbs anti-aliasing differences of another matplotlib or
# FreeType build without letting a real change through: a one-step change of K moves a sampled 128-pixel image by
# about 5 grey levels on average (the app's browser check measures it), and one changed curve, label or panel of a
# figure moves the whole figure's mean by more than 0.5 (a 40 x 40 black square pasted on the 1280 x 128 strip of
# 10_puppets: 1.33, and the check fails).
IMAGE_TOLERANCE = 0.5
MASKS = [(re.compile(r'\b\d+(?:\.\d+)?(?:e-?\d+)?\s?(?:ms|µs|us|ns|s|sec|secs|seconds?|min|minutes?|h)\b'), '<time>'),
         (re.compile(r'''(['"]?\b(?:seconds|secs|elapsed|time_s|wall_s)['"]?\s*[:=]\s*)-?\d+(?:\.\d+)?(?:e-?\d+)?'''), r'\1<time>'),
         (re.compile(r'[-+\u2212]<time>'), '<time>'),   # a difference of two times: its sign is as volatile as they are
         (re.compile(r'\b\d+(?:\.\d+)?\s?(?:it/s|s/it)\b'), '<rate>'),
         (re.compile(r'0x[0-9a-fA-F]{4,}'), '0x<addr>'),
         (re.compile(r'(?:/tmp|/var/tmp|/var/folders)/[^\s\'"),\]]*'), '<tmp>')]

def log(*a): print(*a, flush=True)

def notebook_paths(names) -> list:
    "The notebooks named (paths, or names of NOTEBOOKS), checked: one clear error for a name that is no notebook."
    out = []
    for n in names or NOTEBOOKS:
        p = Path(n) if n.endswith('.ipynb') else NBS / f'{n}.ipynb'
        if not p.is_file(): sys.exit(f'{n}: no such notebook ({p}); name one of {", ".join(NOTEBOOKS)} or give a path.')
        out.append(p.resolve())
    return out

# ---- executing one notebook (in a child process) ----

def _skip_cell(flags):
    "The cells nbdev_test does not run (nbdev.test.test_nb's rule)."
    def skip(cell):
        if cell.cell_type != 'code': return True
        if 'nbdev_export' + '(' in cell.source: return True
        d = getattr(cell, 'directives_', {}) or {}
        if d.get('eval:', [''])[0].lower() == 'false': return True
        return bool(flags & d.keys())
    return skip

def kept_outputs(outputs) -> list:
    "The outputs that are committed: stdout, and the kept formats of displayed values (see the module's docstring)."
    out = []
    for o in outputs:
        t = o['output_type']
        if t == 'stream':
            text = ''.join(o['text']) if isinstance(o['text'], list) else o['text']
            if o['name'] == 'stdout' and text.strip(): out.append(dict(name='stdout', output_type='stream', text=text.splitlines(True)))
        elif t in ('display_data', 'execute_result'):
            data = dict(o['data'])
            if any(k.startswith('application/vnd.jupyter.widget') for k in data): continue
            if 'image/png' in data: data.pop('text/plain', None)
            data = {k: v for k, v in data.items() if k in KEEP}
            if not data: continue
            d = dict(output_type=t, data=data, metadata={})
            if t == 'execute_result': d['execution_count'] = None
            out.append(d)
        elif t == 'error': raise RuntimeError(f"{o['ename']}: {o['evalue']}")
    return out

def execute(src:Path, dest:Path):
    "Run `src` as nbdev_test does and write the notebook with its kept outputs, cleaned as nbdev_clean cleans, to `dest`."
    from execnb.nbio import nb2str
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    from nbdev.config import get_config
    from nbdev.clean import _nbdev_clean
    from nbdev.frontmatter import FrontmatterProc
    from nbdev.process import NBProcessor
    os.environ['IN_TEST'] = '1'
    raw = json.loads(src.read_text(encoding='utf-8'))
    nb = NBProcessor(src, procs=FrontmatterProc, process=True).nb
    if str(getattr(nb, 'frontmatter_', {}).get('skip_exec', '')).lower() == 'true': sys.exit(f'{src.name} is marked skip_exec; it cannot carry fresh outputs.')
    shell = CaptureShell(src, mpl_format='png')
    with working_directory(src.parent):
        shell.run_all(nb, exc_stop=True, preproc=_skip_cell(set(get_config().tst_flags.split())))
    code = [c for c in nb.cells if c.cell_type == 'code']
    raw_code = [c for c in raw['cells'] if c['cell_type'] == 'code']
    assert len(code) == len(raw_code), f'{src.name}: {len(code)} code cells ran, the file has {len(raw_code)}'
    for c, r in zip(code, raw_code):
        assert c.get('id') == r.get('id'), f"{src.name}: the cells' order changed while it ran ({c.get('id')} != {r.get('id')})"
        r['outputs'] = kept_outputs(c.get('outputs', []))
        r['execution_count'] = None
    _nbdev_clean(raw)
    text = nb2str(raw)
    again = json.loads(text); _nbdev_clean(again)
    assert nb2str(again) == text, f'{src.name}: nbdev_clean would change the refreshed notebook'
    dest.write_text(text, encoding='utf-8')

def run_child(src:Path, dest:Path, timeout:float) -> tuple:
    "Execute one notebook in a fresh process: (ok, seconds, the end of its error output)."
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', PYTHONHASHSEED='0', MPLBACKEND='Agg', PYTHONUNBUFFERED='1')
    t0 = time.time()
    try: p = subprocess.run([sys.executable, __file__, '--execute', str(src), str(dest)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired: return False, time.time() - t0, f'timed out after {timeout:.0f} s'
    return p.returncode == 0 and dest.is_file(), time.time() - t0, '\n'.join((p.stdout + p.stderr).strip().splitlines()[-25:])

# Seconds each notebook took in a fresh clone's CI run on the 2-core machine. The longest start first, so that the
# workers end together (about 65 s sooner than in file order); the order changes nothing else, and a notebook missing
# here starts last.
SECONDS = {'21_bench': 142, '04_sampling': 123, '06_viz': 71, '03_finetune': 69, '08c_rivals': 66, '07a_explore': 44,
           '14_puppet_judge': 44, '05b_demo': 42, '08d_ctrlx': 41, '00_fourier': 20, '20_metrics': 18, '15_puppet_pose': 5, '10_puppets': 3,
           '16_puppet_control': 70, '15a_pose_detector': 45, '14b_puppet_hybrids': 35}   # (the last three: estimates until a CI run measures them)

def execute_all(paths, out:Path, workers:int, timeout:float) -> dict:
    "Execute every notebook into `out` (name -> (ok, seconds, error text)), `workers` at a time, the longest first."
    def one(p):
        r = run_child(p, out / p.name, timeout)
        log(f"  {p.name}: {'ran' if r[0] else 'FAILED'} in {r[1]:.0f} s")
        return p, r
    with ThreadPoolExecutor(workers) as ex: return dict(ex.map(one, sorted(paths, key=lambda p: -SECONDS.get(p.stem, 0))))

# ---- comparing ----

def mask(text:str) -> str:
    "A text with its volatile parts masked: the clone's and home folder's paths, durations, rates, addresses, temp paths."
    text = text.replace(str(REPO), '<repo>').replace(str(Path.home()), '<home>')
    for rx, sub in MASKS: text = rx.sub(sub, text)
    return text

def _text(v): return ''.join(v) if isinstance(v, list) else v

NUMBER = re.compile(r'[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?')
# Printed numbers may differ between two CPUs of one kind (another BLAS or SIMD kernel sums in another order). In their
# last digits: G_p 1.0288996696 on one machine, 1.0288997888 on another (relative 1.2e-7). And where a number is
# printed rounded, by one unit of its last digit when it lies near a rounding boundary, or by a few units of 1e-4 where
# it is itself float noise: on an AMD EPYC machine the committed outputs of 05b_demo (p(source subject) 0.02, now 0.03)
# and 21_bench (a half-width 0.0006, now 0.0005; the difference of a setting from itself run in another batch,
# ± 0.0003, now ± 0.0000) differ so, from the code that made them. So a number with a decimal point counts as equal
# within the larger of NUMBER_RTOL (relative), one unit of its last printed digit, and ROUNDED_ATOL; an integer (a
# count, an index) within NUMBER_RTOL only, which for counts below 100,000 is exact. A changed result moves a printed
# score or gain by far more (a one-step change of K moves a mean by 1e-2 or more), and moves the pictures too.
NUMBER_RTOL, NUMBER_ATOL, ROUNDED_ATOL = 1e-5, 1e-7, 5e-4

def same_number(x:str, y:str) -> bool:
    "Two printed numbers equal within the tolerances above."
    fx, fy = float(x), float(y)
    tol = max(NUMBER_ATOL, NUMBER_RTOL * max(abs(fx), abs(fy)))
    if '.' in x and '.' in y and 'e' not in (x + y).lower():
        unit = 10.0 ** -max(len(x.split('.')[1]), len(y.split('.')[1]), 1)
        tol = max(tol, unit * (1 + 1e-9), ROUNDED_ATOL)
    return abs(fx - fy) <= tol

def same_text(a:str, b:str) -> bool:
    "Two texts equal once masked, their numbers compared by `same_number` and the rest exactly."
    a, b = mask(_text(a)), mask(_text(b))
    if a == b: return True
    if NUMBER.sub('#', a) != NUMBER.sub('#', b): return False
    return all(same_number(x, y) for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)))

def _pixels(b64:str):
    import numpy as np
    from PIL import Image
    with Image.open(io.BytesIO(base64.b64decode(b64))) as im: return np.asarray(im.convert('RGBA'), dtype=np.int16)

def image_mad(a:str, b:str):
    "Mean absolute difference (0-255) of two base64 PNGs, or None when their sizes differ."
    x, y = _pixels(a), _pixels(b)
    return None if x.shape != y.shape else float(abs(x - y).mean())

def compare(old:dict, new:dict, tolerance:float=IMAGE_TOLERANCE) -> tuple:
    "The differences of `new`'s outputs from `old`'s beyond the tolerance (a list of sentences), and the largest picture MAD."
    probs, worst = [], 0.0
    oc = [c for c in old['cells'] if c['cell_type'] == 'code']
    nc = [c for c in new['cells'] if c['cell_type'] == 'code']
    if len(oc) != len(nc): return [f'{len(nc)} code cells now, {len(oc)} in the file'], worst
    for i, (a, b) in enumerate(zip(oc, nc)):
        where = f"code cell {i + 1} (id {a.get('id')})"
        ao, bo = a.get('outputs', []), b.get('outputs', [])
        kinds = lambda os_: [(o['output_type'], o.get('name'), sorted(o.get('data', {}))) for o in os_]
        if kinds(ao) != kinds(bo):
            probs.append(f'{where}: outputs {kinds(bo)} now, {kinds(ao)} in the file'); continue
        for j, (x, y) in enumerate(zip(ao, bo)):
            if x['output_type'] == 'stream':
                if not same_text(x['text'], y['text']): probs.append(f'{where}, output {j + 1}: the text differs:\n' + _diff(x['text'], y['text']))
                continue
            for k in x['data']:
                if k == 'image/png':
                    d = image_mad(_text(x['data'][k]), _text(y['data'][k]))
                    if d is None: probs.append(f'{where}, output {j + 1}: the picture changed size')
                    else:
                        worst = max(worst, d)
                        if d > tolerance: probs.append(f'{where}, output {j + 1}: the picture differs by {d:.2f} grey levels on average (allowed: {tolerance})')
                elif not same_text(x['data'][k], y['data'][k]):
                    probs.append(f'{where}, output {j + 1} ({k}): the text differs:\n' + _diff(x['data'][k], y['data'][k]))
    return probs, worst

def _diff(a, b) -> str:
    import difflib
    d = difflib.unified_diff(mask(_text(a)).splitlines(), mask(_text(b)).splitlines(), 'in the file', 'now', lineterm='', n=1)
    return '\n'.join(list(d)[:12])

def sizes(paths) -> int: return sum(p.stat().st_size for p in paths)

# ---- the commands ----

def refresh(paths, workers, timeout) -> int:
    out = Path(tempfile.mkdtemp(prefix='imposter-refresh-'))
    log(f'executing {len(paths)} notebook(s), {workers} at a time')
    res = execute_all(paths, out, workers, timeout)
    failed = [p for p, r in res.items() if not r[0]]
    for p in failed: log(f'{p.name} failed:\n{res[p][2]}')
    if failed: log(f'nothing written: {len(failed)} notebook(s) failed'); return 1
    new = {p: out / p.name for p in paths}
    total = sizes([new.get(NBS / f'{n}.ipynb', NBS / f'{n}.ipynb') for n in NOTEBOOKS])
    for p in paths: log(f'  {p.name}: {p.stat().st_size / 1024:.0f} kB -> {new[p].stat().st_size / 1024:.0f} kB')
    if total > BUDGET:
        log(f'nothing written: the notebooks would take {total / 2**20:.2f} MB together, over the budget of {BUDGET / 2**20:.0f} MB; '
            f'make the figures smaller (see {out})'); return 1
    for p in paths: p.write_text(new[p].read_text(encoding='utf-8'), encoding='utf-8')
    log(f'{len(paths)} notebook(s) refreshed; {", ".join(n for n in NOTEBOOKS)} take {total / 2**20:.2f} MB together')
    return 0

def check(paths, workers, timeout, out:Path|None) -> int:
    out = Path(out or tempfile.mkdtemp(prefix='imposter-outputs-')); out.mkdir(parents=True, exist_ok=True)
    log(f'executing {len(paths)} notebook(s) again, {workers} at a time (fresh outputs in {out})')
    res = execute_all(paths, out, workers, timeout)
    passed = failed = 0
    for p in paths:
        ok, secs, err = res[p]
        if not ok: probs = [f'it failed to run:\n{err}']
        else:
            old = json.loads(p.read_text(encoding='utf-8'))
            if not any(c.get('outputs') for c in old['cells']) and any(c.get('outputs') for c in json.loads((out / p.name).read_text())['cells']):
                probs = ['the file carries no outputs; run python tools/refresh_outputs.py and commit them']
            else:
                probs, worst = compare(old, json.loads((out / p.name).read_text(encoding='utf-8')))
        if probs:
            failed += 1; log(f'FAIL {p.name}: ' + '\n  '.join(probs[:8]) + (f'\n  ... {len(probs) - 8} more' if len(probs) > 8 else ''))
        else:
            passed += 1; log(f'ok   {p.name} ({secs:.0f} s; largest picture difference {worst:.2f})')
    total = sizes([NBS / f'{n}.ipynb' for n in NOTEBOOKS])
    if total > BUDGET: failed += 1; log(f'FAIL the notebooks take {total / 2**20:.2f} MB together, over the budget of {BUDGET / 2**20:.0f} MB')
    else: passed += 1; log(f'ok   the notebooks take {total / 2**20:.2f} MB together (budget {BUDGET / 2**20:.0f} MB)')
    log(f'{passed} passed, {failed} failed')
    return 1 if failed else 0

def measure(a:Path, b:Path) -> int:
    "Print, for the notebooks in two folders of refreshed copies, the largest picture difference and any text difference."
    for p in sorted(Path(a).glob('*.ipynb')):
        q = Path(b) / p.name
        probs, worst = compare(json.loads(p.read_text()), json.loads(q.read_text()), tolerance=-1)
        texts = [x for x in probs if 'picture differs' not in x]
        mads = [float(m) for m in re.findall(r'differs by ([\d.]+) grey', '\n'.join(probs))]
        log(f'{p.name}: {len(mads)} pictures, largest difference {worst:.3f}; {len(texts)} text difference(s)' + ''.join('\n  ' + t for t in texts))
    return 0

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('notebooks', nargs='*', help=f'notebook paths or names (default: {" ".join(NOTEBOOKS)})')
    ap.add_argument('--check', action='store_true', help='execute again and compare with the files; write nothing to them')
    ap.add_argument('--out', help='with --check: where the fresh notebooks go (default: a temporary folder)')
    ap.add_argument('--workers', type=int, default=2, help='notebooks executed at once (default: 2)')
    ap.add_argument('--timeout', type=float, default=1200, help='seconds allowed per notebook (default: 1200)')
    ap.add_argument('--measure', nargs=2, metavar=('RUN1', 'RUN2'), help='compare two folders of refreshed notebooks')
    ap.add_argument('--execute', nargs=2, metavar=('SRC', 'DEST'), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.execute: execute(Path(a.execute[0]).resolve(), Path(a.execute[1])); return 0
    if a.measure: return measure(*map(Path, a.measure))
    if a.workers < 1: sys.exit(f'--workers must be 1 or more, got {a.workers}.')
    paths = notebook_paths(a.notebooks)
    return check(paths, a.workers, a.timeout, a.out) if a.check else refresh(paths, a.workers, a.timeout)

if __name__ == '__main__': sys.exit(main())

"""Check that nbdev's docs processing (what `nbdev_docs` runs before Quarto) passes on every notebook, without Quarto.

Usage (from the repository root, with the dev environment active):

    python tools/check_nbdev_docs.py                        # every file `nbdev_docs` would process under nbs/
    python tools/check_nbdev_docs.py nbs/20_metrics.ipynb   # one notebook (or several)
    python tools/check_nbdev_docs.py --strict               # also fail on nbdev's "cells containing imports and other code" warning

CI runs it without --strict: a test-imports cell that also sets `torch.set_num_threads(1)`, and a cell that tests an
import statement itself (`from imposter.bench import parse_presets` warning), mix on purpose and pass.

`nbdev_docs` = `nbdev_proc_nbs` + Quarto, and `nbdev_proc_nbs` refuses to start without Quarto. This runs the same
processing: the files `nbdev.serve.proc_nbs` selects (`nbglob` over nbs_path with its default skips, through
`nbdev.serve._proc_file`), each one handed to `nbdev.serve_drv.main` with `nbdev.processors.FilterDefaults`, in its
own fresh process (nbdev's `parallel(..., method='spawn')` spawns one; here each is forked from a server that has
imported the heavy libraries once, `PRELOAD`), from the repository root (where `nbdev_docs` is run). That processing executes only some cells (`exec_show_docs`: export cells, cells with an import, `show_doc`
cells), so a cell that mixes an import or exported code with test code using names of unexecuted cells fails here
and fails `nbdev_docs`.

The processed files go to a temporary folder that is removed afterwards: nothing is written into the clone (no
`_proc/`, no `_quarto.yml`, `sidebar.yml` or `_modidx.py` refresh, which `nbdev_docs` does and this check does not
need). Exit status 0 when every file passes; 1, naming each failing file and its error, when one fails.
"""
import argparse, multiprocessing, os, re, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MIXED = 'Found cells containing imports and other code'

# Run in a child process: process one file exactly as nbdev.serve.proc_nbs hands it to nbdev.serve_drv.main.
CHILD = r'''
import sys, warnings
from pathlib import Path
from nbdev.config import get_config
from nbdev.serve import _proc_file
import nbdev.serve_drv
src, cache = Path(sys.argv[1]), Path(sys.argv[2])
warnings.simplefilter('always')
job = _proc_file(src, cache=cache, path=get_config().nbs_path)
try:
    if job: nbdev.serve_drv.main(job)
except Exception as e:   # name the failing cell by its index in the notebook file (nbdev's index counts its own cells)
    bad = str(e).partition(' :\n')[2].strip()
    if src.suffix == '.ipynb' and bad:
        from execnb.nbio import read_nb
        from nbdev.process import extract_directives
        for i, c in enumerate(read_nb(src).cells):
            if c.cell_type == 'code':
                extract_directives(c, remove=True)
                if c.source.strip() == bad: print(f'NOTEBOOK_CELL {i}', file=sys.stderr)
    raise
'''


def files_to_check(names) -> list:
    "The files given, or every file `nbdev_proc_nbs` would process (notebooks and front-matter .py scripts)."
    if names:
        out = [Path(n).resolve() for n in names]
        for p in out:
            if not p.is_file(): sys.exit(f'{p}: no such file')
        return out
    os.chdir(REPO)
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob
    from nbdev.serve import _is_qpy
    nbs = get_config().nbs_path
    files = nbglob(nbs, func=Path, file_glob='', file_re='')
    return [Path(f).resolve() for f in files if f.suffix == '.ipynb' or (f.suffix == '.py' and _is_qpy(f) is not None)]


# The libraries every notebook imports, loaded once by the fork server: each file is then processed in a fresh process
# forked from it (one task per worker), which skips the ~10 s of importing them again without sharing any state
# between two files (nbdev itself spawns a fresh interpreter per file; the notebooks' own modules are not preloaded).
PRELOAD = ['torch', 'diffusers', 'transformers', 'peft', 'matplotlib.pyplot', 'IPython', 'nbdev.serve_drv', 'nbdev.serve']

def _child(src: str, cache: str) -> tuple:
    "In a forked worker: run CHILD on one file as `python -c CHILD src cache` would; return (exit code, its stderr)."
    import contextlib, io, traceback
    sys.argv, err = ['-c', src, cache], io.StringIO()
    with contextlib.redirect_stderr(err):
        try: exec(compile(CHILD, '<check_nbdev_docs child>', 'exec'), {'__name__': '__main__'}); return 0, err.getvalue()
        except BaseException: traceback.print_exc(file=err); return 1, err.getvalue()

def check_one(pool, path: Path, cache: Path, timeout: int) -> dict:
    "Process `path` in a fresh process of `pool`; return its status, duration, error text and mixed-cell warnings."
    t0 = time.time()
    try: rc, err = pool.apply_async(_child, (str(path), str(cache))).get(timeout)
    except multiprocessing.TimeoutError: rc, err = -1, f'timed out after {timeout} s'
    cells = re.findall(r'^NOTEBOOK_CELL (\d+)$', err, flags=re.M)
    mixed = [m.strip() for m in re.findall(MIXED + r'.*?\n---\n(.*?)\n---\n', err, flags=re.S)]
    return dict(path=path, ok=rc == 0, seconds=time.time() - t0, error=err, mixed=mixed, cells=cells)


def short_error(err: str) -> str:
    "What went wrong, in a few lines: the error the cell raised, then nbdev's 'Error in cell N' and the cell's first lines."
    lines = [l for l in err.splitlines() if not l.startswith('NOTEBOOK_CELL')]
    cause = 'The above exception was the direct cause of the following exception:'
    if cause in lines and any(l.startswith('Exception: Error') for l in lines):
        i, j = lines.index(cause), next(k for k, l in enumerate(lines) if l.startswith('Exception: Error'))
        raised = [l for l in lines[:i] if l.strip()][-1]
        src = lines[j + 1:j + 7]
        return '\n'.join([f'the cell raised {raised}', lines[j]] + ['    ' + l for l in src] + (['    ...'] if len(lines) > j + 7 else []))
    return '\n'.join([l for l in lines if l.strip()][-25:])   # not a cell's error (nbdev itself, a timeout): the end of it


def report(r, strict, failed):
    "Print one file's result; add its name to `failed` when it fails."
    name = os.path.relpath(r['path'], REPO)
    bad = not r['ok'] or (strict and r['mixed'])
    print(f"{'FAIL' if bad else 'ok  '} {name} ({r['seconds']:.1f} s)"
          + (f", {len(r['mixed'])} cell(s) mixing imports and other code" if r['mixed'] else ''), flush=True)
    if not r['ok']:
        if r['cells']: print(f"    the failing cell: cell {', '.join(r['cells'])} of the file, counting every cell from 0 "
                             "(nbdev's number below counts its processed cells: title dropped, show_doc cells added)")
        print('    ' + short_error(r['error']).replace('\n', '\n    '))
    for m in r['mixed'] if strict else []:
        head = m.splitlines()
        print('    a cell mixing imports and other code:\n        ' + '\n        '.join(head[:4] + (['...'] if len(head) > 4 else [])))
    if bad: failed.append(name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('files', nargs='*', help='notebooks to check (default: all that nbdev_docs processes)')
    ap.add_argument('--strict', action='store_true', help="also fail a notebook with a cell mixing imports and other code")
    ap.add_argument('--n_workers', type=int, default=1, help='notebooks processed at once (default 1)')
    ap.add_argument('--timeout', type=int, default=600, help='seconds allowed per notebook (default 600)')
    a = ap.parse_args()
    files = files_to_check(a.files)
    os.chdir(REPO); os.environ['MPLBACKEND'] = 'Agg'   # where `nbdev_docs` runs; set before the fork server starts
    ctx = multiprocessing.get_context('forkserver'); ctx.set_forkserver_preload(PRELOAD)
    t0 = time.time()
    failed, n = [], 0
    with tempfile.TemporaryDirectory(prefix='nbdev-proc-') as cache, ThreadPoolExecutor(max(1, a.n_workers)) as ex, \
         ctx.Pool(max(1, a.n_workers), maxtasksperchild=1) as pool:
        for r in ex.map(lambda p: check_one(pool, p, Path(cache), a.timeout), files):   # reported in order, as each ends
            n += 1
            report(r, a.strict, failed)
    print(f"{n - len(failed)} passed, {len(failed)} failed ({time.time() - t0:.0f} s)"
          + (': ' + ', '.join(failed) if failed else ''))
    sys.exit(1 if failed else 0)


if __name__ == '__main__': main()

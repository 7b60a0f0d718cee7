"""Build the documentation site from the notebooks with MkDocs: their prose, code, committed outputs and API reference.

Usage (from the repository root, with the dev environment active):

    python docs/build.py             # nbs/*.ipynb -> _docs_md/*.md -> _site/ (open _site/index.html)
    python docs/build.py --serve     # the same, then serve it on http://127.0.0.1:8000 while you edit
    python docs/build.py --md-only   # only the Markdown pages (for a look at what MkDocs gets)
    python docs/build.py --nbdev-check [NOTEBOOK ...]   # run nbdev_docs' own processing (no Quarto needed) on notebooks

Each notebook of nbs/ (not its subfolders) is one page, named as nbdev's Quarto site names it (`07_explore.ipynb` ->
`explore.html`), in the order of their file names after the home page (`index.ipynb`). A page is what `nbdev_docs`
would show: the notebook goes through nbdev's own processors (hidden and exported cells removed, directives such as
`#| echo: false` honoured, links to documented names added) with one change: the reference of each exported name is
rendered here from its signature and docments (`fastcore.docments`: the comment after each parameter) by importing
it from the installed library, instead of by executing the notebook's cells. So the build runs no notebook code, and
the outputs shown are those committed in the notebooks (`tools/refresh_outputs.py` refreshes them). An extra page,
`api.md`, lists every exported name by module, and the pages written as Markdown in `docs/` (`PAGES`: the Results
page, the Records page, Install and GPUs) follow it, their links and figures made right for the site. MkDocs then
builds the site in strict mode: a broken link fails it.

`--nbdev-check` runs, on each notebook in a process of its own, the processing that `nbdev_docs` runs before Quarto
(nbdev's `FilterDefaults`, which executes every cell that holds an import, alone): a cell that mixes imports with
code using names of cells the docs step does not run fails there. The fix is to move its imports into the
notebook's cell of imports.
"""
import argparse, base64, importlib, inspect, re, shutil, sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MD = REPO / '_docs_md'       # the generated Markdown pages (MkDocs' docs_dir)
SITE = REPO / '_site'        # the site
CONFIG = REPO / 'mkdocs.yml'
DOCS = REPO / 'docs'         # the pages written as Markdown, beside the notebooks' pages
PAGES = (('results.md', 'Results'), ('records.md', 'Records'), ('gpus.md', 'Install and GPUs'))   # (file in docs/, title)

def page_name(nb:Path) -> str:
    "The page of a notebook, as nbdev names it: '07_explore.ipynb' -> 'explore'."
    return re.sub(r'^\d+[a-z]?_', '', nb.stem)

def notebooks(nbs:Path) -> list:
    "The notebooks that become pages: index first, then the others in file-name order."
    nbs_ = sorted(p for p in nbs.glob('*.ipynb') if not p.name.startswith(('_', '.')))
    return sorted(nbs_, key=lambda p: (p.stem != 'index', p.name))

# ---- the reference of an exported name, from its signature and docments ----

def _anno(a) -> str:
    if a is inspect.Parameter.empty or a is type(None): return ''
    s = a.__name__ if isinstance(a, type) else str(a)
    return re.sub(r'\b(?:[a-z_][\w]*\.)+([A-Za-z_]\w*)', r'\1', s).replace('NoneType', 'None')

def _default(d) -> str:
    if d is inspect.Parameter.empty: return ''
    r = repr(d)
    return '*(factory)*' if r.startswith('<factory') else f'`{r}`' if len(r) < 60 else '*(long)*'

def _cell(s) -> str: return (s or '').replace('|', '\\|').replace('\n', ' ')

def source_link(obj, cfg) -> str:
    "A link to the object's lines in the repository, or '' where inspect cannot find them."
    try:
        f = Path(inspect.getsourcefile(inspect.unwrap(obj))).resolve(); line = inspect.getsourcelines(inspect.unwrap(obj))[1]
        rel = f.relative_to(REPO)
    except (TypeError, OSError, ValueError): return ''
    return f"[source]({cfg['git_url']}/blob/{cfg['branch']}/{rel.as_posix()}#L{line})"

def reference(name:str, obj, cfg) -> str:
    "The Markdown reference of one exported name: heading (with nbdev's anchor), signature, docstring, parameter table."
    from fastcore.docments import docments
    anchor = name.lower()
    out = [f'### {name} {{ #{anchor} }}', '']
    target = obj
    if inspect.isclass(obj) and hasattr(obj, '_fields'):   # a NamedTuple: its fields
        rows = [(f, _anno(obj.__annotations__.get(f, inspect.Parameter.empty)), '', '') for f in obj._fields]
        sig = f"{name}({', '.join(obj._fields)})"
    elif callable(obj):
        try: sig = f"{name}{inspect.signature(obj)}"
        except (TypeError, ValueError): sig = name
        try: d = docments(target, full=True)
        except (TypeError, ValueError, OSError): d = {}
        rows = [(k, _anno(v['anno']), _default(v['default']), v['docment'] or '') for k, v in d.items()
                if k not in ('self', 'cls', 'return')]
        ret = d.get('return')
        if ret and (ret['docment'] or _anno(ret['anno'])): rows.append(('**Returns**', _anno(ret['anno']), '', ret['docment'] or ''))
    else:
        sig, rows = f'{name} = {obj!r}'[:300], []
    link = source_link(obj, cfg)
    out += [f'```python\n{sig}\n```', '']
    doc = inspect.getdoc(obj) if callable(obj) else None
    if doc: out += [doc, '']
    if rows and any(r[3] or r[1] or r[2] for r in rows):
        out += ['| | **Type** | **Default** | **Details** |', '|---|---|---|---|']
        out += [f'| `{r[0]}` | {_cell(r[1])} | {_cell(r[2])} | {_cell(r[3])} |' if not r[0].startswith('**') else
                f'| {r[0]} | {_cell(r[1])} | | {_cell(r[3])} |' for r in rows] + ['']
    if link: out += [link, '']
    return '\n'.join(out)

def resolve(name:str, module:str):
    "The object a `show_doc(name)` cell of a notebook exporting to `module` documents."
    mod = importlib.import_module(module)
    obj = mod
    for part in name.split('.'):
        if not hasattr(obj, part): raise AttributeError(f'{name} is not in {module}; export the notebook (nbdev_export) and build again.')
        obj = getattr(obj, part)
    return obj

def shown_names(source:str) -> list:
    "The dotted names a `show_doc(...)` cell documents: one name, or a list of them (a method patched into two classes)."
    import ast
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call) and getattr(n.func, 'id', None) == 'show_doc']
    if len(calls) != 1 or not calls[0].args: raise ValueError(f'Cannot read the name a show_doc cell documents: {source!r}')
    a = calls[0].args[0]
    items = a.elts if isinstance(a, (ast.List, ast.Tuple)) else [a]
    names = [i.value if isinstance(i, ast.Constant) else ast.unparse(i) for i in items]
    if not all(re.fullmatch(r'[A-Za-z_][\w.]*', n) for n in names): raise ValueError(f'show_doc documents names only, got {source!r}')
    return names

# ---- the notebook -> Markdown conversion ----

def processed(nb_path:Path, cfg):
    "The notebook after nbdev's docs processors (show_doc cells rendered from the library instead of executed), and its module."
    from execnb.nbio import read_nb
    from nbdev.process import NBProcessor
    from nbdev.processors import FilterDefaults, exec_show_docs, _default_exp
    nb = read_nb(nb_path)
    module = _default_exp(nb)
    lib = Path(cfg['lib_path']).name

    class render_show_docs:
        "In place of nbdev's exec_show_docs: each show_doc(...) cell gets the Markdown reference of the names it documents."
        def __init__(self, nb): self.nb = nb
        def __call__(self, cell):
            if cell.cell_type != 'code' or not re.match(r'^(#\|.*\n)*show_doc\(', cell.source or ''): return
            names = shown_names(cell.source)
            if module is None: raise ValueError(f'{nb_path.name} documents {names} but exports to no module (no default_exp).')
            md = '\n\n'.join(reference(n, resolve(n, f"{lib}.{module}"), cfg) for n in names)
            cell.outputs = [dict(output_type='display_data', data={'text/markdown': md}, metadata={})]

    procs = [render_show_docs if p is exec_show_docs else p for p in FilterDefaults().procs()]
    proc = NBProcessor(nb=nb, procs=procs)
    proc.process()
    return proc.nb, module

_DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')

def _directives(source:str) -> tuple:
    "The cell's `#| key: value` directives (as a dict) and its code without them."
    d, code, head = {}, [], True
    for line in source.splitlines():
        m = _DIRECTIVE.match(line) if head else None
        if m: d[m[1]] = m[2]; continue
        head = False; code.append(line)
    return d, '\n'.join(code).strip('\n')

def _text(v): return ''.join(v) if isinstance(v, list) else (v or '')

def _fence(text:str, lang:str='') -> str:
    ticks = '````' if '```' in text else '```'
    return f'{ticks}{lang}\n{text.rstrip()}\n{ticks}'

def to_markdown(nb, page:str, figures:Path, cfg, nbs_dir:Path) -> tuple:
    "A processed notebook as a Markdown page: (text, title, the number of figures written to `figures`)."
    import yaml
    parts, title, n_fig = [], None, 0
    site = f"{cfg['doc_host']}{cfg['doc_baseurl']}".rstrip('/') + '/'
    for cell in nb.cells:
        src = getattr(cell, 'source', None)
        if src is None: continue
        if cell.cell_type == 'raw':
            m = re.match(r'^---\n(.*?)\n---', src, re.S)
            if m:
                fm = yaml.safe_load(m[1]) or {}
                title = fm.get('title')
                if title: parts.append(f'# {title}')
                if fm.get('description'): parts.append(f"*{fm['description']}*")
            continue
        if cell.cell_type == 'markdown':
            if src.strip(): parts.append(src.strip('\n'))
            continue
        d, code = _directives(src)
        if d.get('include') == 'false': continue
        if code and d.get('echo') != 'false': parts.append(_fence(code, 'python'))
        if d.get('output') == 'false': continue
        for o in cell.get('outputs', []):
            t = o.get('output_type')
            if t == 'stream':
                if o.get('name') == 'stdout' and _text(o.get('text')).strip(): parts.append(_fence(_text(o['text']), 'text'))
                continue
            if t not in ('display_data', 'execute_result'): continue
            data = o.get('data', {})
            if any(k.startswith('application/vnd.jupyter.widget') for k in data): continue
            if 'image/png' in data:
                n_fig += 1
                name = f'{page}-{n_fig}.png'
                (figures / name).write_bytes(base64.b64decode(_text(data['image/png'])))
                parts.append(f'![output {n_fig} of {page}](figures/{name}){{ .nb-output }}')
            elif 'text/markdown' in data: parts.append(_text(data['text/markdown']).strip('\n'))
            elif 'text/html' in data: parts.append('<div class="nb-html" markdown="0">\n' + _text(data['text/html']).strip() + '\n</div>')
            elif 'text/latex' in data: parts.append(_text(data['text/latex']).strip())
            elif 'text/plain' in data: parts.append(_fence(_text(data['text/plain']), 'text'))
    text = '\n\n'.join(parts) + '\n'
    # nbdev's links point at the Quarto site; here they are pages of this site
    text = re.sub(re.escape(site) + r'(\w+)\.html', r'\1.md', text)
    return relink(text, nbs_dir, page == 'index', cfg), title or page, n_fig

_LINK = re.compile(r'(!?\[[^\]]*\]\()([^)\s]+)(\))')

def relink(text:str, nbs:Path, readme:bool, cfg, base:Path=None) -> str:
    """Relative links made right for the site: a notebook's images (`images/`), another notebook (its page), another
    page of `docs/` (`PAGES`), and any other file of the repository (its page on the repository's host). The home page
    is also the README, so its links are relative to the repository's root; a page of `docs/` has them relative to
    `docs/` (`base`)."""
    base = base or (REPO if readme else nbs)
    def fix(m):
        target = m[2]
        if re.match(r'^[a-z]+:|^#|^figures/', target): return m[0]
        path, _, anchor = target.partition('#')
        if base == DOCS and path in {name for name, _ in PAGES}: return m[0]   # a page of this site, next to this one
        p = (nbs / path[4:] if readme and path.startswith('nbs/') else base / path).resolve()
        try: rel = p.relative_to(nbs.resolve())
        except ValueError: rel = None
        if rel is not None and rel.parts[:1] == ('images',): new = rel.as_posix()
        elif rel is not None and p.suffix == '.ipynb' and len(rel.parts) == 1: new = page_name(p) + '.md'
        else:
            try: in_repo = p.relative_to(REPO)
            except ValueError: return m[0]
            if not p.exists(): return m[0]   # broken: MkDocs (strict) says so
            new = f"{cfg['git_url']}/{'tree' if p.is_dir() else 'blob'}/{cfg['branch']}/{in_repo.as_posix()}"
        return m[1] + new + (f'#{anchor}' if anchor else '') + m[3]
    return _LINK.sub(fix, text)

def api_page(pages:dict, out:Path, cfg) -> str:
    "The API index: every exported name with a reference on its page, by module, linked to it."
    from importlib import import_module
    idx = import_module(f"{Path(cfg['lib_path']).name}._modidx").d['syms']
    out_ = ['# API index', '', 'Every name the library documents, by module; each links to its reference on its page.', '']
    for mod, syms in sorted(idx.items()):
        short = mod.split('.', 1)[-1]
        page = next((p for p, (_, m) in pages.items() if m == short), None)
        if page is None: continue
        anchors = set(re.findall(r'^### \S+ \{ #(\S+) \}$', (out / f'{page}.md').read_text(encoding='utf-8'), re.M))
        names = sorted(n for n in {s[len(mod) + 1:] for s in syms} if n.lower() in anchors)
        if names: out_ += [f'## `{mod}`', '', ', '.join(f'[`{n}`]({page}.md#{n.lower()})' for n in names), '']
    return '\n'.join(out_)

def build_markdown(nbs:Path=REPO / 'nbs', out:Path=MD) -> list:
    "Write every page's Markdown (and figures) into `out`; returns MkDocs' nav."
    from nbdev.config import get_config
    cfg = get_config()
    if out.exists(): shutil.rmtree(out)
    (out / 'figures').mkdir(parents=True)
    if (nbs / 'images').is_dir(): shutil.copytree(nbs / 'images', out / 'images')
    for f in ('extra.css',): shutil.copy(Path(__file__).parent / f, out / f)
    from pygments.formatters import HtmlFormatter   # the colours of codehilite's classes
    (out / 'pygments.css').write_text(HtmlFormatter(style='friendly').get_style_defs('.codehilite'), encoding='utf-8')
    nav, pages = [], {}
    for nb_path in notebooks(nbs):
        page = page_name(nb_path)
        nb, module = processed(nb_path, cfg)
        text, title, n_fig = to_markdown(nb, page, out / 'figures', cfg, nbs)
        (out / f'{page}.md').write_text(text, encoding='utf-8')
        nav.append({title: f'{page}.md'}); pages[page] = (title, module)
        print(f'  {nb_path.name} -> {page}.md ({n_fig} figure(s))', flush=True)
    (out / 'api.md').write_text(api_page(pages, out, cfg), encoding='utf-8')
    nav.append({'API index': 'api.md'})
    for name, title in PAGES:
        (out / name).write_text(docs_page(DOCS / name, out / 'figures', cfg, nbs), encoding='utf-8')
        nav.append({title: name})
        print(f'  docs/{name} -> {name}', flush=True)
    return nav

_IMAGE = re.compile(r'(!\[[^\]]*\]\()([^)\s]+)(\))')

def docs_page(path:Path, figures:Path, cfg, nbs:Path) -> str:
    """A page written as Markdown in `docs/`, its links made right for the site (`relink`, relative to `docs/`): an
    image of the repository outside `nbs/images/` (a result's figure) is copied into the site's figures."""
    text = path.read_text(encoding='utf-8')
    site = f"{cfg['doc_host']}{cfg['doc_baseurl']}".rstrip('/') + '/'
    text = re.sub(re.escape(site) + r'(\w+)\.html', r'\1.md', text)   # nbdev-style links to this site's pages
    def figure(m):
        p = (path.parent / m[2]).resolve()
        if re.match(r'^[a-z]+:', m[2]) or not p.is_file() or not p.is_relative_to(REPO) or p.is_relative_to((nbs / 'images').resolve()): return m[0]
        name = 'docs-' + '-'.join(p.relative_to(REPO).parts[-3:])
        shutil.copy(p, figures / name)
        return f'{m[1]}figures/{name}{m[3]}'
    return relink(_IMAGE.sub(figure, text), nbs, False, cfg, base=DOCS)

def nbdev_check(paths) -> int:
    "Run nbdev_docs' processing on each notebook, each in a fresh process; print what fails. Returns the number of failures."
    import subprocess, time
    code = ('import sys, tempfile; from pathlib import Path; from nbdev.processors import FilterDefaults; import nbdev.serve_drv; '
            'src = Path(sys.argv[1]); nbdev.serve_drv.main((src, Path(tempfile.mkdtemp()) / src.name, FilterDefaults))')
    failed = 0
    for p in paths:
        t0 = time.time()
        r = subprocess.run([sys.executable, '-c', code, str(p)], cwd=p.parent, capture_output=True, text=True)
        if r.returncode == 0: print(f'ok   {p.name} ({time.time() - t0:.0f} s)', flush=True); continue
        failed += 1
        err = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith('[transformers]')]
        start = next((i for i, l in enumerate(err) if l.startswith('Exception: Error')), max(0, len(err) - 12))
        print(f'FAIL {p.name} ({time.time() - t0:.0f} s):\n  ' + '\n  '.join(err[start:start + 12]), flush=True)
    print(f'{len(paths) - failed} passed, {failed} failed')
    return failed

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--serve', action='store_true', help='serve the site on http://127.0.0.1:8000 after building it')
    ap.add_argument('--md-only', action='store_true', help='write the Markdown pages only')
    ap.add_argument('--nbs', default=str(REPO / 'nbs'), help='the notebooks folder (default: nbs/)')
    ap.add_argument('--nbdev-check', nargs='*', metavar='NOTEBOOK', help="run nbdev_docs' processing on these notebooks (default: all of --nbs)")
    a = ap.parse_args()
    nbs = Path(a.nbs)
    if not nbs.is_dir(): sys.exit(f'{nbs} is not a folder of notebooks; pass --nbs with the folder that holds them.')
    if a.nbdev_check is not None:
        paths = [Path(p).resolve() for p in a.nbdev_check] or [p.resolve() for p in notebooks(nbs)]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing: sys.exit(f'{missing[0]} is not a notebook; give notebook paths.')
        return 1 if nbdev_check(paths) else 0
    print(f'notebooks of {nbs} -> {MD}', flush=True)
    nav = build_markdown(nbs)
    if a.md_only: return 0
    import logging
    from mkdocs.config import load_config
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort
    logging.basicConfig(format='mkdocs %(levelname)s: %(message)s')
    logging.getLogger('mkdocs').setLevel(logging.WARNING)
    if a.serve:
        from mkdocs.commands.serve import serve
        serve(str(CONFIG), nav=nav)
        return 0
    try: build(load_config(str(CONFIG), nav=nav, strict=True))
    except Abort as e: print(f'the site was not built: {e} (the warnings above say what to fix)', flush=True); return 1
    offline = offline_problems(SITE)
    if offline: print('the site needs the network or a script for its maths:', *offline[:5], sep='\n  ', flush=True); return 1
    print(f'site: {SITE}/index.html ({len(nav)} pages; {sum(h.read_text().count("<math ") for h in SITE.glob("*.html"))} formulas as MathML)', flush=True)
    return 0

def offline_problems(site:Path) -> list:
    "The pages that would not read offline: a formula left as TeX (docs/math_hook.py converts them all) or a script from another host."
    out = []
    for h in sorted(site.glob('*.html')):
        text = h.read_text(encoding='utf-8')
        if 'class="arithmatex"' in text: out.append(f'{h.name}: a formula left as TeX')
        out += [f'{h.name}: a script from {u}' for u in re.findall(r'<script[^>]+src="(https?://[^"]+)"', text)]
    return out

if __name__ == '__main__': sys.exit(main())

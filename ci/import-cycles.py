#!/usr/bin/env python3
"""Import cycles between the modules (files) of the workspace's crates: edges from the
`crate::`/`super::`/`self::` paths of each file (outside `#[cfg(test)] mod tests`), a root
re-export resolved to its module. Prints the strongly connected components of more than one
module and exits 1 if there is any.

Usage: python3 ci/import-cycles.py SRC_DIR [SRC_DIR...]"""
import os, re, sys
def check(root):
    files = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            if f.endswith('.rs'):
                p = os.path.join(d, f)
                rel = os.path.relpath(p, root)[:-3].split(os.sep)
                if rel[-1] in ('mod', 'lib', 'main'):
                    rel = rel[:-1]
                files[tuple(rel)] = p
    mods = set(files)
    def strip_comments(s):
        s = re.sub(r'//[^\n]*', '', s)
        return re.sub(r'/\*.*?\*/', '', s, flags=re.S)
    # root re-exports: name -> module
    reexp = {}
    lib = files.get(())
    if lib:
        src = strip_comments(open(lib).read())
        for m in re.finditer(r'pub use\s+([a-z_0-9:]+)::\{([^}]*)\}', src):
            base = tuple(x for x in m.group(1).split('::') if x not in ('crate', 'self'))
            for name in m.group(2).split(','):
                name = name.strip().split(' as ')[-1].strip()
                if name: reexp[name] = base
        for m in re.finditer(r'pub use\s+([a-z_0-9:]+)::([A-Za-z_0-9]+)\s*;', src):
            base = tuple(x for x in m.group(1).split('::') if x not in ('crate', 'self'))
            reexp[m.group(2)] = base
    def resolve(path):
        best = ()
        for i in range(1, len(path) + 1):
            if tuple(path[:i]) in mods: best = tuple(path[:i])
        if best == () and path and path[0] in reexp:
            r = reexp[path[0]]
            for i in range(len(r), 0, -1):
                if tuple(r[:i]) in mods: return tuple(r[:i])
        return best
    edges = {m: set() for m in mods}
    def expand_use(body):
        # flatten a use tree a::{b, c::{d}} into paths
        out = []
        def rec(prefix, s):
            s = s.strip()
            m = re.match(r'^([A-Za-z_0-9:]*?)::\{(.*)\}$', s, re.S)
            if m:
                pre = prefix + [x for x in m.group(1).split('::') if x]
                depth, cur, parts = 0, '', []
                for ch in m.group(2):
                    if ch == '{': depth += 1
                    if ch == '}': depth -= 1
                    if ch == ',' and depth == 0: parts.append(cur); cur = ''
                    else: cur += ch
                parts.append(cur)
                for p in parts:
                    if p.strip(): rec(pre, p)
            else:
                out.append(prefix + [x for x in s.split(' as ')[0].split('::') if x])
        rec([], body)
        return out
    for mod, p in files.items():
        src = strip_comments(open(p).read())
        # drop test modules
        src = re.split(r'#\[cfg\(test\)\]\s*mod tests', src)[0]
        paths = []
        for m in re.finditer(r'\buse\s+([^;]+);', src):
            paths += expand_use(m.group(1))
        for m in re.finditer(r'\b((?:crate|super|self)(?:::[A-Za-z_0-9]+)+)', src):
            paths.append(m.group(1).split('::'))
        is_dir_mod = os.path.basename(p) in ('mod.rs', 'lib.rs', 'main.rs')
        for path in paths:
            if not path: continue
            if path[0] == 'crate': tgt = list(path[1:])
            elif path[0] in ('super', 'self'):
                base = list(mod) if is_dir_mod else list(mod[:-1])
                if path[0] == 'self':
                    base = list(mod)
                rest = list(path[1:])
                if path[0] == 'super':
                    while rest and rest[0] == 'super':
                        base = base[:-1]; rest = rest[1:]
                tgt = base + rest
            else: continue
            t = resolve(tgt)
            if t != mod and not (len(t) < len(mod) and mod[:len(t)] == t and t != ()):
                edges[mod].add(t)
            elif t == () and mod != ():
                edges[mod].add(t)
    # Tarjan
    idx, low, st, on, out, n = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)
    def sc(v):
        idx[v] = low[v] = n[0]; n[0] += 1; st.append(v); on.add(v)
        for w in edges[v]:
            if w not in idx: sc(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], idx[w])
        if low[v] == idx[v]:
            comp = []
            while True:
                w = st.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(comp)
    for v in edges:
        if v not in idx: sc(v)
    name = lambda m: '::'.join(m) or '<root>'
    up = [(name(a), name(b)) for a in edges for b in edges[a] if b == () and a != ()]
    print(f"{root}: {len(mods)} modules, {sum(len(e) for e in edges.values())} edges, {len(out)} cycles")
    for c in out: print("  cycle:", ' <-> '.join(sorted(name(m) for m in c)))
    for a, b in up: print("  upward edge to the crate root:", a)
    return len(out)


found = sum(check(d) for d in sys.argv[1:])
sys.exit(1 if found else 0)

#!/usr/bin/env python3
"""Writes test/fixtures/stats/scipy-reference.json: inputs and scipy's answers for the tests in
src/stats/ (paired t, Wilcoxon signed-rank in its exact, permutation and normal regimes with ties and
zeros, erfc), and Holm-adjusted p-values computed by the few lines below (statsmodels'
multipletests(method='holm') when it is installed, checked to agree). The tests read the JSON, so
they need no Python. Re-run after changing a case:

    python3 scripts/stats-reference.py
"""
import json
import os

import numpy as np
import scipy
from scipy import special, stats

rng = np.random.default_rng(20101)


def floats(n, loc, scale):
    return [float(v) for v in rng.normal(loc, scale, n)]


def paired(n, shift, noise, common=1.0):
    """Two arms sharing a per-seed term (as two cells on the same seeds do)."""
    base = rng.normal(0.0, common, n)
    a = base + rng.normal(shift, noise, n)
    b = base + rng.normal(0.0, noise, n)
    return [float(v) for v in a], [float(v) for v in b]


def integers(n, lo, hi):
    """Integer-valued arms (e.g. test errors counted in digits): exact in binary, so ties are real."""
    return [float(v) for v in rng.integers(lo, hi, n)]


def holm(p):
    """Holm's step-down adjusted p-values (NaN left out of m and of the output)."""
    idx = [i for i in range(len(p)) if not np.isnan(p[i])]
    idx.sort(key=lambda i: (p[i], i))
    m = len(idx)
    out = [float('nan')] * len(p)
    running = 0.0
    for k, i in enumerate(idx):
        running = max(running, min(1.0, (m - k) * p[i]))
        out[i] = running
    return out


ttest_cases = [paired(3, 0.5, 1.0), paired(10, -0.3, 0.5), paired(25, 0.05, 1.0), paired(40, 2.0, 0.3),
               (floats(12, 0.021, 0.002), floats(12, 0.019, 0.002))]
ttest = []
for a, b in ttest_cases:
    r = stats.ttest_rel(a, b)
    ttest.append({'a': a, 'b': b, 't': float(r.statistic), 'df': float(r.df), 'p': float(r.pvalue)})


def with_zeros(a, b, k):
    b = list(b)
    for i in range(k):
        b[i] = a[i]
    return a, b


wilcoxon_cases = [
    ('exact, n=6', paired(6, 0.5, 1.0)),
    ('exact, n=10', paired(10, -0.4, 1.0)),
    ('exact, n=30', paired(30, 0.3, 1.0)),
    ('exact, n=50', paired(50, 0.2, 1.0)),
    ('permutation (ties), n=9', (integers(9, 180, 200), integers(9, 180, 200))),
    ('permutation (zeros), n=12', with_zeros(*paired(12, 0.8, 1.0), 2)),
    ('permutation (ties and zeros), n=13', (integers(13, 190, 200), integers(13, 185, 200))),
    ('normal (ties), n=20', (integers(20, 180, 200), integers(20, 178, 200))),
    ('normal (zeros), n=30', with_zeros(*paired(30, -0.3, 1.0), 3)),
    ('normal, n=51', paired(51, 0.25, 1.0)),
    ('normal (ties and zeros), n=80', (integers(80, 150, 170), integers(80, 151, 170))),
    ('normal, n=200, tiny p', paired(200, 1.0, 1.0)),
]
wilcoxon = []
for name, (a, b) in wilcoxon_cases:
    r = stats.wilcoxon(a, b)
    d = np.asarray(a) - np.asarray(b)
    wilcoxon.append({'name': name, 'a': a, 'b': b, 'statistic': float(r.statistic), 'p': float(r.pvalue),
                     'zeros': int((d == 0).sum()), 'ties': bool(len(np.unique(np.abs(d[d != 0]))) < (d != 0).sum())})

holm_cases = [[0.01, 0.04, 0.03, 0.005], [0.2, 0.5, 0.01], [0.001, float('nan'), 0.02, 0.02, 0.9], [0.04], [0.5, 0.6]]
holm_out = [holm(p) for p in holm_cases]
try:
    from statsmodels.stats.multitest import multipletests
    for p, h in zip(holm_cases, holm_out):
        ok = [i for i in range(len(p)) if not np.isnan(p[i])]
        sm = multipletests([p[i] for i in ok], method='holm')[1]
        assert np.allclose(sm, [h[i] for i in ok]), (p, h, sm)
    holm_source = 'statsmodels multipletests(method="holm") and the lines of holm() in this script, checked to agree'
except ImportError:
    holm_source = 'the lines of holm() in this script (statsmodels not installed)'

erfc_x = [-3.0, -0.5, 0.0, 0.3, 0.99, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 26.0]

out = {
    'generator': 'scripts/stats-reference.py',
    'scipy': scipy.__version__,
    'numpy': np.__version__,
    'ttestRel': ttest,
    'wilcoxon': wilcoxon,
    'holm': {'source': holm_source, 'cases': [{'p': p, 'adjusted': h} for p, h in zip(holm_cases, holm_out)]},
    'erfc': [{'x': x, 'erfc': float(special.erfc(x))} for x in erfc_x],
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'stats', 'scipy-reference.json')


def nan_to_none(v):
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, list):
        return [nan_to_none(x) for x in v]
    if isinstance(v, dict):
        return {k: nan_to_none(x) for k, x in v.items()}
    return v


with open(path, 'w') as f:
    json.dump(nan_to_none(out), f, indent=1)
    f.write('\n')
print(f'wrote {os.path.normpath(path)}')

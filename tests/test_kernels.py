"""The rule every compiled fast path shares (matcher/kernels.py): numpy until the kernel pays."""

from sistermatch import kernels
from sistermatch.kernels import LazyKernel


def test_a_kernel_switches_on_once_the_work_done_without_it_passes_its_cost():
    built = []
    k = LazyKernel(lambda: built.append(1) or (lambda x: 2 * x), pays_after=100)
    assert not k.pays(60) and not k.loaded and not built
    assert k.pays(40)  # 100 units done the numpy way: from now on the kernel
    assert k.loaded and built == [1]
    assert k.pays(1) and k.get()(21) == 42 and built == [1]  # built once


def test_load_all_switches_every_kernel_on(monkeypatch):
    monkeypatch.setattr(kernels, "_ALL", [])
    ks = [LazyKernel(lambda: len, pays_after=10**9) for _ in range(3)]
    assert not any(k.loaded for k in ks)
    kernels.load_all()
    assert all(k.loaded and k.pays(1) for k in ks)

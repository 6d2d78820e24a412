"""Compiled inner loops (numba), loaded when they pay: the rule every compiled fast path shares.

Loading a numba kernel costs a fraction of a second (importing numba, then, at its first
call, reading its machine code from numba's on-disk cache; compiling it, the first time
on a machine, costs a few seconds). A one-off recommendation from the command line
spends less than that in all. So each fast path keeps a numpy equivalent, which gives
the same numbers up to rounding, and counts the work it does that way; once that work
passes what loading costs, it switches to the kernel (the ski-rental rule: never more
than twice the better choice's cost in hindsight). A service or a batch, which will run
many queries, switches every kernel on up front (:func:`load_all`, from
``Matcher.warm_up``, whose first queries then load their code) before it forks its workers.
"""

import threading

__all__ = ["LazyKernel", "load_all"]

_ALL = []


class LazyKernel:
    """A numba kernel built by ``compile()`` on first need.

    Parameters
    ----------
    compile : callable
        Returns the compiled function (``numba.njit(cache=True)``: later processes load it
        from disk).
    pays_after : int
        Units of work (rows scored, say) done the numpy way after which :meth:`pays` loads
        the kernel.
    """

    def __init__(self, compile, pays_after):
        self._compile = compile
        self.pays_after = pays_after
        self._fn = None
        self._done = 0
        self._lock = threading.Lock()
        _ALL.append(self)

    @property
    def loaded(self):
        return self._fn is not None

    def get(self):
        """The kernel (numba loads or compiles its code at its first call), switched on."""
        with self._lock:
            if self._fn is None:
                self._fn = self._compile()
        return self._fn

    def pays(self, work):
        """Whether to do ``work`` units with the kernel: yes once it is loaded, or once this
        process has done :attr:`pays_after` units the other way (then it loads)."""
        if self._fn is not None:
            return True
        self._done += work
        if self._done < self.pays_after:
            return False
        self.get()
        return True


def load_all():
    """Switch every kernel of the package on now: each fast path uses its kernel from its next
    call on, which loads the kernel's code (do it before forking workers that will use them)."""
    for kernel in _ALL:
        kernel.get()

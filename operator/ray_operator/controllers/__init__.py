"""The controllers of this operator: one description per kind (see :mod:`ray_operator.framework`),
and :mod:`.caches`, how each watched kind is cached. The runtime builds them all."""

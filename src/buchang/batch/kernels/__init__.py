"""Vectorised kernels, one per rule family of :mod:`buchang.rules` (see :mod:`.common`)."""

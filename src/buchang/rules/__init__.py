"""The exact compensation core: pure rules of (inputs, resolved table snapshot) → lines.

``inputs`` (typed immutable domain models) → ``snapshot`` (tables resolved by
jurisdiction and governing date) → rule families (land, attachments, houses,
social security), each a pure function returning :class:`~buchang.rules.lines.Line`
records → results (``lines``) → ``explain``.
"""

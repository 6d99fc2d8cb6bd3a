"""The base layer: exact money, area units, identity checks and issues (errors as values).

Imports nothing else from buchang.
"""

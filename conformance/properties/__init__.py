"""Hand-written properties, one module per Lean module, registered with ``@checks``."""

"""nn: a tiny neural-network layer built only from autograd_core Values (issue 5 fills it in)."""

__all__: list[str] = []

"""viz: graph drawings, chain-rule explanations and the backward-pass player (issue 4 fills it in)."""

__all__: list[str] = []

"""``python -m nn.demo``: until the training demo lands, the engine demo."""

from autograd_core.__main__ import main

if __name__ == "__main__":
    main()

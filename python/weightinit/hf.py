# SPDX-License-Identifier: BSD-3-Clause
"""``weightinit.hf``: Hugging Face transformers models with weightinit's values, in memory.

``from_config(config, seed=0, dtype=None)`` returns the model that
``AutoModel.from_config`` would build (or the class the config's ``architectures`` or
`auto_class` names), filled on the CPU with each parameter's law from the architecture's own
``_init_weights``: bit for bit the tensors that ``weightinit init --hf-config`` writes for
the same seed and dtype. Needs transformers 5 and torch (``pip install 'weightinit[hf]'``).
"""

from .checkpoint.hf import from_config

__all__ = ["from_config"]
